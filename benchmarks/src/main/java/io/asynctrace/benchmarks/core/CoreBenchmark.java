package io.asynctrace.benchmarks.core;

import io.asynctrace.FlightRecorder;
import io.asynctrace.RecordingStats;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.otel.LiveExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.OutputStream;
import java.util.Collection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one event, against {@code System.nanoTime()} as the floor.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CoreBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoreBenchmark {
    private static final Runnable NOTHING = () -> { };

    /** A recording into a null stream, kept for the whole trial. */
    @State(Scope.Benchmark)
    public static class Recording {
        /** Buffers leased to single threads; 0 makes every thread use the shared stripes. */
        @Param({"128"})
        int maxThreadBuffers;

        @Setup(Level.Trial)
        public void start() {
            Trace.start(OutputStream.nullOutputStream(),
                    TraceOptions.defaults().withMaxThreadBuffers(maxThreadBuffers));
        }

        @TearDown(Level.Trial)
        public void stop() {
            String cpu = threadCpu();
            RecordingStats stats = Trace.stop();
            System.out.println("\n[recording] " + stats + " " + cpu);
        }
    }

    /**
     * A recording as {@link Recording}, plus trace-otel's live exporter sending every ended
     * task to a {@code SpanExporter} that accepts everything at once (the cost measured is the
     * application thread's: the hand-off to the exporter's queue, or the counted drop).
     */
    @State(Scope.Benchmark)
    public static class Live {
        @Param({"128"})
        int maxThreadBuffers;
        LiveExporter live;

        @Setup(Level.Trial)
        public void start() {
            Trace.start(OutputStream.nullOutputStream(),
                    TraceOptions.defaults().withMaxThreadBuffers(maxThreadBuffers));
            live = LiveExporter.start(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
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
            }, Resource.getDefault());
        }

        @TearDown(Level.Trial)
        public void stop() {
            String cpu = threadCpu();
            live.close();
            RecordingStats stats = Trace.stop();
            System.out.println("\n[live] " + live + " " + stats + " " + cpu);
        }
    }

    /** @return the CPU time of the trial's threads (the benchmark's and asynctrace's) so far, in ms */
    static String threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        StringBuilder b = new StringBuilder("cpu ms:");
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && (t.getThreadName().startsWith("asynctrace") || t.getThreadName().contains("jmh-worker"))) {
                b.append(' ').append(t.getThreadName()).append('=').append(mx.getThreadCpuTime(t.getThreadId()) / 1_000_000);
            }
        }
        return b.toString();
    }

    /** A flight recorder keeping the last 10 s (at most 64 MiB) in memory, and no Trace.start recording. */
    @State(Scope.Benchmark)
    public static class Flight {
        FlightRecorder flight;

        @Setup(Level.Trial)
        public void start() {
            flight = new FlightRecorder(Duration.ofSeconds(10), 64 << 20);
            flight.start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            System.out.println("\n[flight] kept " + flight.retainedBytes() + " bytes");
            flight.stop();
        }
    }

    /** The benchmark thread works under a current task, as application code would. */
    @State(Scope.Thread)
    public static class InTask {
        Task task;
        io.asynctrace.Scope scope;

        @Setup(Level.Trial)
        public void enter() {
            task = Trace.newTask("bench");
            scope = task.makeCurrent();
        }

        @TearDown(Level.Trial)
        public void exit() {
            scope.close();
            task.end();
        }
    }

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public void logDisabled() {
        Trace.log("orderID", "42");
    }

    @Benchmark
    public void withSpanDisabled() {
        Trace.withSpan("steamMilk", NOTHING);
    }

    /** The task case: a task created and ended while recording. */
    @Benchmark
    public void taskEnabled(Recording r) {
        Trace.newTask("order").end();
    }

    /** The task case with the live exporter listening. */
    @Benchmark
    public void taskLiveExporter(Live l) {
        Trace.newTask("order").end();
    }

    @Benchmark
    public void logEnabled(Recording r, InTask t) {
        Trace.log("orderID", "42");
    }

    @Benchmark
    public void withSpanEnabled(Recording r, InTask t) {
        Trace.withSpan("steamMilk", NOTHING);
    }

    @Benchmark
    public void startSpanEndEnabled(Recording r, InTask t) {
        Trace.startSpan("steamMilk").end();
    }

    @Benchmark
    public void logFlightRecorder(Flight f, InTask t) {
        Trace.log("orderID", "42");
    }

    @Benchmark
    public void withSpanFlightRecorder(Flight f, InTask t) {
        Trace.withSpan("steamMilk", NOTHING);
    }

    @Benchmark
    @Threads(2)
    public void logEnabledTwoThreads(Recording r, InTask t) {
        Trace.log("orderID", "42");
    }

    @Benchmark
    @Threads(2)
    public void withSpanEnabledTwoThreads(Recording r, InTask t) {
        Trace.withSpan("steamMilk", NOTHING);
    }
}
