package io.asynctrace.benchmarks.peers;

import io.asynctrace.reactor.ReactorTracing;
import io.asynctrace.reactor.Trace;
import io.micrometer.observation.ObservationRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Case 4 of issue 10: one subscription, waited for with {@code block()}, to
 * {@code Mono.fromCallable(c).publishOn(single).map(f)}, run as an asynctrace task
 * ({@code transform(Trace.task("order"))} with {@code ReactorTracing.install()}, whose
 * scheduler hook makes the task current after the hop and records it as a job; no
 * context-propagation mode, see issue 14) and as a
 * Micrometer observation ({@code tap} with an {@link ObservationListener}, automatic
 * context propagation on, a handler that does nothing). Floors: {@code plain} (no
 * hooks) and {@code plainAutomaticPropagation}. {@code *Off}: the same pipeline with
 * tracing off, or Micrometer's {@code NOOP} registry. Each pipeline is assembled once,
 * after the hooks it needs are set; each benchmark runs in its own fork, so Reactor's
 * global hooks do not leak between them.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar peers.ReactorPipelineBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReactorPipelineBenchmark {
    private static final Callable<Integer> SOURCE = () -> 41;
    private static final Function<Integer, Integer> F = x -> x + 1;

    /** A pipeline over its own single-thread scheduler. */
    abstract static class Pipeline {
        Scheduler scheduler;
        Mono<Integer> mono;

        Mono<Integer> assemble() {
            scheduler = Schedulers.newSingle("bench-publishOn");
            return Mono.fromCallable(SOURCE).publishOn(scheduler).map(F);
        }

        void dispose() {
            scheduler.dispose();
        }
    }

    @State(Scope.Benchmark)
    public static class Plain extends Pipeline {
        @Setup(Level.Trial)
        public void open() {
            mono = assemble();
        }

        @TearDown(Level.Trial)
        public void close() {
            dispose();
        }
    }

    @State(Scope.Benchmark)
    public static class PlainAutomatic extends Pipeline {
        @Setup(Level.Trial)
        public void open() {
            Hooks.enableAutomaticContextPropagation();
            mono = assemble();
        }

        @TearDown(Level.Trial)
        public void close() {
            dispose();
            Hooks.disableAutomaticContextPropagation();
        }
    }

    @State(Scope.Benchmark)
    public static class AsynctraceOff extends Pipeline {
        @Setup(Level.Trial)
        public void open() {
            ReactorTracing.install();
            mono = assemble().transform(Trace.task("order"));
        }

        @TearDown(Level.Trial)
        public void close() {
            dispose();
            ReactorTracing.uninstall();
        }
    }

    @State(Scope.Benchmark)
    public static class AsynctraceRecording extends Pipeline {
        @Setup(Level.Trial)
        public void open(AsynctraceOn recording) {
            ReactorTracing.install();
            mono = assemble().transform(Trace.task("order"));
        }

        @TearDown(Level.Trial)
        public void close() {
            dispose();
            ReactorTracing.uninstall();
        }
    }

    @State(Scope.Benchmark)
    public static class MicrometerOff extends Pipeline {
        @Setup(Level.Trial)
        public void open() {
            Hooks.enableAutomaticContextPropagation();
            mono = assemble().tap(ctx -> new ObservationListener<>(ctx, ObservationRegistry.NOOP, "order"));
        }

        @TearDown(Level.Trial)
        public void close() {
            dispose();
            Hooks.disableAutomaticContextPropagation();
        }
    }

    @State(Scope.Benchmark)
    public static class MicrometerRecording extends Pipeline {
        @Setup(Level.Trial)
        public void open(MicrometerOn m) {
            Hooks.enableAutomaticContextPropagation();
            ObservationRegistry registry = m.registry;
            mono = assemble().tap(ctx -> new ObservationListener<>(ctx, registry, "order"));
        }

        @TearDown(Level.Trial)
        public void close() {
            dispose();
            Hooks.disableAutomaticContextPropagation();
        }
    }

    @Benchmark
    public Integer plain(Plain s) {
        return s.mono.block();
    }

    @Benchmark
    public Integer plainAutomaticPropagation(PlainAutomatic s) {
        return s.mono.block();
    }

    @Benchmark
    public Integer asynctraceTaskOff(AsynctraceOff s) {
        return s.mono.block();
    }

    @Benchmark
    public Integer asynctraceTask(AsynctraceRecording s) {
        return s.mono.block();
    }

    @Benchmark
    public Integer micrometerTapOff(MicrometerOff s) {
        return s.mono.block();
    }

    @Benchmark
    public Integer micrometerTap(MicrometerRecording s) {
        return s.mono.block();
    }
}
