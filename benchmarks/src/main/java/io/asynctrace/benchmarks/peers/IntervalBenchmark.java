package io.asynctrace.benchmarks.peers;

import io.asynctrace.Trace;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cases 2 and 6 of issue 10: one interval around an empty body, named
 * {@code "steamMilk"}, recorded by asynctrace ({@code Trace.withSpan} under a current
 * task), by a JFR custom event ({@code begin()}, {@code commit()}, threshold 0, while a
 * recording writes to disk), by the OpenTelemetry SDK (a child of the current span:
 * {@code spanBuilder().startSpan()}, {@code makeCurrent()}, {@code end()}, batch
 * processor, exporter that drops) and by Micrometer ({@code Observation.observe} with a
 * handler that does nothing). {@code *Off} is the cost while nothing records: tracing
 * off, no JFR recording, OpenTelemetry's no-op API, Micrometer's {@code NOOP} registry.
 * {@code *TwoThreads} runs the same on two threads at once.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar peers.IntervalBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IntervalBenchmark {
    private static final String NAME = "steamMilk";
    private static final Runnable NOTHING = () -> { };
    private static final Tracer NOOP_TRACER = OpenTelemetry.noop().getTracer("io.asynctrace.benchmarks");

    /** The floor: one clock read. */
    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public void asynctraceWithSpanOff() {
        Trace.withSpan(NAME, NOTHING);
    }

    @Benchmark
    public void asynctraceWithSpan(AsynctraceTask t) {
        Trace.withSpan(NAME, NOTHING);
    }

    @Benchmark
    @Threads(2)
    public void asynctraceWithSpanTwoThreads(AsynctraceTask t) {
        Trace.withSpan(NAME, NOTHING);
    }

    /** No recording in this fork: the event class is not instrumented. */
    @Benchmark
    public void jfrBeginCommitOff() {
        jfrSpan();
    }

    @Benchmark
    public void jfrBeginCommit(JfrOn jfr) {
        jfrSpan();
    }

    @Benchmark
    @Threads(2)
    public void jfrBeginCommitTwoThreads(JfrOn jfr) {
        jfrSpan();
    }

    /** No SDK: the API's no-op tracer. */
    @Benchmark
    public void otelSpanOff() {
        spanWith(NOOP_TRACER);
    }

    @Benchmark
    public void otelSpan(OtelSdk sdk, OtelParentSpan parent) {
        spanWith(sdk.tracer);
    }

    @Benchmark
    @Threads(2)
    public void otelSpanTwoThreads(OtelSdk sdk, OtelParentSpan parent) {
        spanWith(sdk.tracer);
    }

    @Benchmark
    public void micrometerObservationOff() {
        Observation.createNotStarted(NAME, ObservationRegistry.NOOP).observe(NOTHING);
    }

    @Benchmark
    public void micrometerObservation(MicrometerOn m) {
        Observation.createNotStarted(NAME, m.registry).observe(NOTHING);
    }

    @Benchmark
    @Threads(2)
    public void micrometerObservationTwoThreads(MicrometerOn m) {
        Observation.createNotStarted(NAME, m.registry).observe(NOTHING);
    }

    private static void jfrSpan() {
        JfrEvents.SpanEvent e = new JfrEvents.SpanEvent();
        e.name = NAME;
        e.begin();
        NOTHING.run();
        e.commit();
    }

    private static void spanWith(Tracer tracer) {
        Span span = tracer.spanBuilder(NAME).startSpan();
        try (Scope s = span.makeCurrent()) {
            NOTHING.run();
        } finally {
            span.end();
        }
    }
}
