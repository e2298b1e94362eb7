package io.asynctrace.benchmarks.peers;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The OpenTelemetry SDK as a service would configure it: an {@link SdkTracerProvider}
 * with the default sampler (parent-based, always on) and a {@link BatchSpanProcessor}
 * with default settings (a queue of 2048 spans), exporting to an exporter that only
 * counts. When the processor's worker thread falls behind, the SDK drops spans and logs
 * a warning per export; the warnings are silenced here, and instead the spans ended,
 * exported and dropped over the whole trial are printed at its end (counting the
 * ended spans costs a few nanoseconds per span).
 */
@State(Scope.Benchmark)
public class OtelSdk {
    /** Held so that its level sticks: the SDK's "dropped N spans" warnings. */
    private static final Logger EXPORT_LOGGER = Logger.getLogger("io.opentelemetry.sdk.trace.export");

    Tracer tracer;
    private SdkTracerProvider provider;
    private final EndCounter ends = new EndCounter();
    private final CountingExporter exporter = new CountingExporter();

    @Setup(Level.Trial)
    public void start() {
        EXPORT_LOGGER.setLevel(java.util.logging.Level.OFF);
        provider = SdkTracerProvider.builder()
                .addSpanProcessor(ends)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        tracer = provider.get("io.asynctrace.benchmarks");
    }

    @TearDown(Level.Trial)
    public void stop() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
        long ended = ends.spans.sum();
        long exported = exporter.spans.sum();
        System.out.printf("%n[otel] %,d spans ended, %,d exported, %,d dropped by the batch processor (%.1f %%)%n",
                ended, exported, ended - exported, ended == 0 ? 0.0 : 100.0 * (ended - exported) / ended);
    }

    /** Counts the spans that end. */
    static final class EndCounter implements SpanProcessor {
        final LongAdder spans = new LongAdder();

        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            spans.increment();
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }

    /** Drops every span it is given, after counting it. */
    static final class CountingExporter implements SpanExporter {
        final LongAdder spans = new LongAdder();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.add(batch.size());
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
