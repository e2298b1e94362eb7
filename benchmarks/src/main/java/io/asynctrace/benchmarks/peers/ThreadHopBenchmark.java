package io.asynctrace.benchmarks.peers;

import io.asynctrace.Trace;
import io.asynctrace.future.TracedExecutors;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Case 3 of issue 10: a task across a thread hop. The benchmark thread, working under
 * a current task (asynctrace task, OpenTelemetry span, Micrometer observation), submits
 * a job to a wrapped single-thread executor and waits for it ({@code Future.get()}); the
 * job runs one span of the same tracer there, under the task the wrapper carried over.
 * Wrappers: {@code TracedExecutors.wrap} (which also records the job's queued, started
 * and finished events), OpenTelemetry's {@code Context.taskWrapping}, Micrometer
 * Context Propagation's {@code ContextExecutorService}. {@code plainHop} is the floor:
 * the same submit and wait, no wrapper, empty job. {@code *Off}: the wrapper still
 * carries context, but nothing records (tracing off, OpenTelemetry's no-op API,
 * Micrometer's {@code NOOP} registry). The figure is dominated by waking the two
 * threads; the differences are what tracing adds.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar peers.ThreadHopBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ThreadHopBenchmark {
    private static final String NAME = "brew";
    private static final Runnable NOTHING = () -> { };

    /** An executor, a job for it, and what the benchmark thread has current while it submits. */
    abstract static class Hop {
        ExecutorService executor;
        Runnable job;
        AutoCloseable current = () -> { };

        void hop() throws InterruptedException, ExecutionException {
            executor.submit(job).get();
        }

        void close() throws Exception {
            current.close();
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @State(Scope.Thread)
    public static class Plain extends Hop {
        @Setup(Level.Trial)
        public void open() {
            executor = Executors.newSingleThreadExecutor();
            job = NOTHING;
        }

        @TearDown(Level.Trial)
        public void shutdown() throws Exception {
            close();
        }
    }

    @State(Scope.Thread)
    public static class AsynctraceOff extends Hop {
        @Setup(Level.Trial)
        public void open() {
            asynctrace(this);
        }

        @TearDown(Level.Trial)
        public void shutdown() throws Exception {
            close();
        }
    }

    @State(Scope.Thread)
    public static class AsynctraceRecording extends Hop {
        @Setup(Level.Trial)
        public void open(AsynctraceOn recording) {
            asynctrace(this);
        }

        @TearDown(Level.Trial)
        public void shutdown() throws Exception {
            close();
        }
    }

    @State(Scope.Thread)
    public static class OtelOff extends Hop {
        @Setup(Level.Trial)
        public void open() {
            otel(this, OpenTelemetry.noop().getTracer("io.asynctrace.benchmarks"));
        }

        @TearDown(Level.Trial)
        public void shutdown() throws Exception {
            close();
        }
    }

    @State(Scope.Thread)
    public static class OtelRecording extends Hop {
        @Setup(Level.Trial)
        public void open(OtelSdk sdk) {
            otel(this, sdk.tracer);
        }

        @TearDown(Level.Trial)
        public void shutdown() throws Exception {
            close();
        }
    }

    @State(Scope.Thread)
    public static class MicrometerOff extends Hop {
        @Setup(Level.Trial)
        public void open() {
            micrometer(this, ObservationRegistry.NOOP);
        }

        @TearDown(Level.Trial)
        public void shutdown() throws Exception {
            close();
        }
    }

    @State(Scope.Thread)
    public static class MicrometerRecording extends Hop {
        @Setup(Level.Trial)
        public void open(MicrometerOn m) {
            micrometer(this, m.registry);
        }

        @TearDown(Level.Trial)
        public void shutdown() throws Exception {
            close();
        }
    }

    @Benchmark
    public void plainHop(Plain s) throws Exception {
        s.hop();
    }

    @Benchmark
    public void asynctraceHopOff(AsynctraceOff s) throws Exception {
        s.hop();
    }

    @Benchmark
    public void asynctraceHop(AsynctraceRecording s) throws Exception {
        s.hop();
    }

    @Benchmark
    public void otelHopOff(OtelOff s) throws Exception {
        s.hop();
    }

    @Benchmark
    public void otelHop(OtelRecording s) throws Exception {
        s.hop();
    }

    @Benchmark
    public void micrometerHopOff(MicrometerOff s) throws Exception {
        s.hop();
    }

    @Benchmark
    public void micrometerHop(MicrometerRecording s) throws Exception {
        s.hop();
    }

    private static void asynctrace(Hop h) {
        io.asynctrace.Task task = Trace.newTask("order");
        io.asynctrace.Scope scope = task.makeCurrent();
        h.current = () -> {
            scope.close();
            task.end();
        };
        h.executor = TracedExecutors.wrap(Executors.newSingleThreadExecutor());
        h.job = () -> Trace.withSpan(NAME, NOTHING);
    }

    private static void otel(Hop h, Tracer tracer) {
        Span parent = tracer.spanBuilder("order").startSpan();
        io.opentelemetry.context.Scope scope = parent.makeCurrent();
        h.current = () -> {
            scope.close();
            parent.end();
        };
        h.executor = Context.taskWrapping(Executors.newSingleThreadExecutor());
        h.job = () -> {
            Span span = tracer.spanBuilder(NAME).startSpan();
            try (io.opentelemetry.context.Scope s = span.makeCurrent()) {
                NOTHING.run();
            } finally {
                span.end();
            }
        };
    }

    private static void micrometer(Hop h, ObservationRegistry registry) {
        Observation parent = Observation.start("order", registry);
        Observation.Scope scope = parent.openScope();
        h.current = () -> {
            scope.close();
            parent.stop();
        };
        h.executor = ContextExecutorService.wrap(Executors.newSingleThreadExecutor(),
                ContextSnapshotFactory.builder().build());
        h.job = () -> Observation.createNotStarted(NAME, registry).observe(NOTHING);
    }
}
