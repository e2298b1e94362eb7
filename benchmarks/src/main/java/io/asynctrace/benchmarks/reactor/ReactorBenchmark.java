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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Per-subscription cost of {@code Mono.just(x).map(f)}: plain, with
 * {@code Trace.task} while tracing is off and on, and with Reactor's automatic context
 * propagation on. Each pipeline is assembled once (in the state's setup, after the
 * hooks it needs are set) and subscribed once per operation by a minimal subscriber.
 * Every benchmark runs in its own fork, so Reactor's global hooks do not leak between
 * them. Targets (issue 3): {@code taskOff} within 10 % of {@code plain};
 * {@code taskOn - plain} at most 3 x {@code CoreBenchmark.nanoTime}.
 *
 * <p>Issue 14: {@code taskWithLog} ({@code ReactorTracing.install()}, tracing on, a
 * {@code Trace.log} inside the {@code map}) against {@code plain} (no asynctrace at
 * all): at most + 5 x {@code nanoTime} and + 400 B/op; {@code hopTaskWithLog} (the same
 * across a {@code publishOn} hop, waited for with {@code block()}) against
 * {@code hopPlain}: at most + 800 B/op. {@code *InstalledOff}: installed, tracing off.
 *
 * <p>{@code perRequest*}: a server assembles its pipeline per request, so the
 * assembly hook runs for each operator each time; these assemble
 * {@code Mono.just(x).publishOn(immediate).map(f).flatMap(just).map(f)} in every
 * operation and subscribe it, without asynctrace and installed with tracing off, on one
 * thread and on two at once (where type checks that rewrite a class's shared
 * secondary-supers cache would bounce between the cores). {@code perRequestMany*}: the
 * same for {@link #requestMany}, whose {@code flatMapMany} the hook always marks.
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
    /** {@link #F} with a log on the current task: the user code of issue 14. */
    private static final Function<Integer, Integer> LOGGED = x -> {
        Trace.log("bench", "value");
        return x + 1;
    };

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

    /** {@code Trace.task} with {@code ReactorTracing.install()}, automatic propagation turned on as by another library, tracing on. */
    @State(Scope.Benchmark)
    public static class TaskOnAutomatic {
        Mono<Integer> mono;

        @Setup(Level.Trial)
        public void start() {
            Hooks.enableAutomaticContextPropagation();
            ReactorTracing.install();
            Trace.start(OutputStream.nullOutputStream());
            mono = Mono.just(41).map(F).transform(Trace.task("bench"));
        }

        @TearDown(Level.Trial)
        public void stop() {
            RecordingStats stats = Trace.stop();
            ReactorTracing.uninstall();
            Hooks.disableAutomaticContextPropagation();
            System.out.println("\n[recording] " + stats);
        }
    }

    /** Issue 14: installed, tracing on, a log in the operator. */
    @State(Scope.Benchmark)
    public static class TaskWithLog {
        Mono<Integer> mono;

        @Setup(Level.Trial)
        public void start() {
            ReactorTracing.install();
            Trace.start(OutputStream.nullOutputStream());
            mono = Mono.just(41).map(LOGGED).transform(Trace.task("bench"));
        }

        @TearDown(Level.Trial)
        public void stop() {
            RecordingStats stats = Trace.stop();
            ReactorTracing.uninstall();
            System.out.println("\n[recording] " + stats);
        }
    }

    /** Issue 14: installed, tracing off. */
    @State(Scope.Benchmark)
    public static class InstalledOff {
        Mono<Integer> mono;

        @Setup(Level.Trial)
        public void assemble() {
            ReactorTracing.install();
            mono = Mono.just(41).map(LOGGED).transform(Trace.task("bench"));
        }

        @TearDown(Level.Trial)
        public void uninstall() {
            ReactorTracing.uninstall();
        }
    }

    /** Issue 14: installed, tracing off, for the per-request cases. */
    @State(Scope.Benchmark)
    public static class Installed {
        @Setup(Level.Trial)
        public void install() {
            ReactorTracing.install();
        }

        @TearDown(Level.Trial)
        public void uninstall() {
            ReactorTracing.uninstall();
        }
    }

    /** The pipeline a server would assemble per request. */
    static Mono<Integer> request(int x) {
        return Mono.just(x).publishOn(Schedulers.immediate()).map(F).flatMap(y -> Mono.just(y + 1)).map(F);
    }

    /**
     * {@link #request} with a {@code Mono.flatMapMany} in it (a client's
     * {@code connect().flatMapMany(...)} shape): the operator the hook always marks, so
     * installed with tracing off it costs one {@code Hop} at assembly and one volatile
     * read at subscription more than without asynctrace.
     */
    static Flux<Integer> requestMany(int x) {
        return Mono.just(x).map(F).flatMapMany(y -> Flux.just(y, y + 1)).map(F);
    }

    /** A publishOn hop over its own single-thread scheduler. */
    public abstract static class Hop {
        Scheduler scheduler;
        Mono<Integer> mono;

        Mono<Integer> hop() {
            scheduler = Schedulers.newSingle("bench-hop");
            return Mono.just(41).publishOn(scheduler);
        }

        @TearDown(Level.Trial)
        public void dispose() {
            scheduler.dispose();
        }
    }

    /** The hop without asynctrace. */
    @State(Scope.Benchmark)
    public static class HopPlain extends Hop {
        @Setup(Level.Trial)
        public void assemble() {
            mono = hop().map(F);
        }
    }

    /** The hop as a task with a log after it: installed, tracing on. */
    @State(Scope.Benchmark)
    public static class HopTaskWithLog extends Hop {
        @Setup(Level.Trial)
        public void start() {
            ReactorTracing.install();
            Trace.start(OutputStream.nullOutputStream());
            mono = hop().map(LOGGED).transform(Trace.task("bench"));
        }

        @TearDown(Level.Trial)
        public void stop() {
            RecordingStats stats = Trace.stop();
            ReactorTracing.uninstall();
            System.out.println("\n[recording] " + stats);
        }
    }

    /** The hop as a task: installed, tracing off. */
    @State(Scope.Benchmark)
    public static class HopInstalledOff extends Hop {
        @Setup(Level.Trial)
        public void assemble() {
            ReactorTracing.install();
            mono = hop().map(LOGGED).transform(Trace.task("bench"));
        }

        @TearDown(Level.Trial)
        public void uninstall() {
            ReactorTracing.uninstall();
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

    @Benchmark
    public void taskWithLog(TaskWithLog s, Blackhole bh) {
        s.mono.subscribe(new Sink(bh));
    }

    @Benchmark
    public void installedOff(InstalledOff s, Blackhole bh) {
        s.mono.subscribe(new Sink(bh));
    }

    @Benchmark
    public Integer hopPlain(HopPlain s) {
        return s.mono.block();
    }

    @Benchmark
    public Integer hopTaskWithLog(HopTaskWithLog s) {
        return s.mono.block();
    }

    @Benchmark
    public Integer hopInstalledOff(HopInstalledOff s) {
        return s.mono.block();
    }

    @Benchmark
    public void perRequestPlain(Blackhole bh) {
        request(41).subscribe(new Sink(bh));
    }

    @Benchmark
    public void perRequestInstalledOff(Installed s, Blackhole bh) {
        request(41).subscribe(new Sink(bh));
    }

    @Benchmark
    @Threads(2)
    public void perRequestPlainTwoThreads(Blackhole bh) {
        request(41).subscribe(new Sink(bh));
    }

    @Benchmark
    @Threads(2)
    public void perRequestInstalledOffTwoThreads(Installed s, Blackhole bh) {
        request(41).subscribe(new Sink(bh));
    }

    @Benchmark
    public void perRequestManyPlain(Blackhole bh) {
        requestMany(41).subscribe(new Sink(bh));
    }

    @Benchmark
    public void perRequestManyInstalledOff(Installed s, Blackhole bh) {
        requestMany(41).subscribe(new Sink(bh));
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
