package io.asynctrace.benchmarks.reactor;

import io.asynctrace.RecordingStats;
import io.asynctrace.reactor.ReactorTracing;
import io.asynctrace.reactor.Trace;
import java.io.OutputStream;
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
import org.openjdk.jmh.infra.Blackhole;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * Per-subscription cost of {@code Mono.just(x).map(f)}: plain, with
 * {@code Trace.task} while tracing is off and on, and with Reactor's automatic context
 * propagation on. Each pipeline is assembled once (in the state's setup, after the
 * hooks it needs are set) and subscribed once per operation by a minimal subscriber.
 * Every benchmark runs in its own fork, so Reactor's global hooks do not leak between
 * them. Targets (issue 3): {@code taskOff} within 10 % of {@code plain};
 * {@code taskOn - plain} at most 3 x {@code CoreBenchmark.nanoTime}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ReactorBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReactorBenchmark {
    private static final Function<Integer, Integer> F = x -> x + 1;

    /** Plain pipeline, default (limited) context propagation mode. */
    @State(Scope.Benchmark)
    public static class Plain {
        Mono<Integer> mono;

        @Setup(Level.Trial)
        public void assemble() {
            mono = Mono.just(41).map(F);
        }
    }

    /** The same pipeline with {@code Trace.task}; tracing is off. */
    @State(Scope.Benchmark)
    public static class TaskOff {
        Mono<Integer> mono;

        @Setup(Level.Trial)
        public void assemble() {
            mono = Mono.just(41).map(F).transform(Trace.task("bench"));
        }
    }

    /** The same pipeline with {@code Trace.task}; tracing on into a null stream. */
    @State(Scope.Benchmark)
    public static class TaskOn {
        Mono<Integer> mono;

        @Setup(Level.Trial)
        public void start() {
            Trace.start(OutputStream.nullOutputStream());
            mono = Mono.just(41).map(F).transform(Trace.task("bench"));
        }

        @TearDown(Level.Trial)
        public void stop() {
            RecordingStats stats = Trace.stop();
            System.out.println("\n[recording] " + stats);
        }
    }

    /** Plain pipeline with {@code Hooks.enableAutomaticContextPropagation()}. */
    @State(Scope.Benchmark)
    public static class PlainAutomatic {
        Mono<Integer> mono;

        @Setup(Level.Trial)
        public void assemble() {
            Hooks.enableAutomaticContextPropagation();
            mono = Mono.just(41).map(F);
        }

        @TearDown(Level.Trial)
        public void reset() {
            Hooks.disableAutomaticContextPropagation();
        }
    }

    /** {@code Trace.task} with {@code ReactorTracing.install()} (automatic propagation) and tracing on. */
    @State(Scope.Benchmark)
    public static class TaskOnAutomatic {
        Mono<Integer> mono;

        @Setup(Level.Trial)
        public void start() {
            ReactorTracing.install();
            Trace.start(OutputStream.nullOutputStream());
            mono = Mono.just(41).map(F).transform(Trace.task("bench"));
        }

        @TearDown(Level.Trial)
        public void stop() {
            RecordingStats stats = Trace.stop();
            ReactorTracing.uninstall();
            System.out.println("\n[recording] " + stats);
        }
    }

    @Benchmark
    public void plain(Plain s, Blackhole bh) {
        s.mono.subscribe(new Sink(bh));
    }

    @Benchmark
    public void taskOff(TaskOff s, Blackhole bh) {
        s.mono.subscribe(new Sink(bh));
    }

    @Benchmark
    public void taskOn(TaskOn s, Blackhole bh) {
        s.mono.subscribe(new Sink(bh));
    }

    @Benchmark
    public void plainAutomaticPropagation(PlainAutomatic s, Blackhole bh) {
        s.mono.subscribe(new Sink(bh));
    }

    @Benchmark
    public void taskOnAutomaticPropagation(TaskOnAutomatic s, Blackhole bh) {
        s.mono.subscribe(new Sink(bh));
    }

    /** The floor the tracing-on target is expressed in. */
    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    /** The least a subscriber can do: request everything, hand the value to the blackhole. */
    static final class Sink implements CoreSubscriber<Integer> {
        private final Blackhole bh;

        Sink(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Integer value) {
            bh.consume(value);
        }

        @Override
        public void onError(Throwable t) {
            bh.consume(t);
        }

        @Override
        public void onComplete() {
        }
    }
}
