package io.asynctrace.benchmarks.jmh;

import io.asynctrace.reactor.Trace;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Benchmarks meant to be run with {@code -prof io.asynctrace.jmh.TraceProfiler}
 * (issue 18): neither starts tracing itself, the profiler does.
 *
 * <ul>
 *   <li>{@link #orders}: 20 orders per operation, each a Reactor task with a span,
 *       hopping to the parallel scheduler; with the profiler, each order task is a child
 *       of the iteration that ran it.</li>
 *   <li>{@link #baseline}: the same arithmetic on the benchmark thread, no events: what
 *       the profiler costs a benchmark by itself ({@link ProfilerCost}).</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ProfiledBenchmark.orders
 * -prof "io.asynctrace.jmh.TraceProfiler:dir=target/asynctrace"}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ProfiledBenchmark {
    private long seed;

    @Benchmark
    public Long orders() {
        return Flux.range(0, 20)
                .flatMap(i -> Mono.fromCallable(() -> brew(i))
                        .transform(Trace.span("brew"))
                        .subscribeOn(Schedulers.parallel())
                        .transform(Trace.task("order")))
                .reduce(0L, Long::sum)
                .block();
    }

    @Benchmark
    public long baseline() {
        return brew(seed++);
    }

    static long brew(long i) {
        long x = i;
        for (int k = 0; k < 200; k++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }
}
