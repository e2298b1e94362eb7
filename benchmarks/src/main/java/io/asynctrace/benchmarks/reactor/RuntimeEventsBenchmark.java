package io.asynctrace.benchmarks.reactor;

import io.asynctrace.RuntimeEvents;
import io.asynctrace.TraceOptions;
import io.asynctrace.reactor.Trace;
import java.io.OutputStream;
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
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Application throughput of a Reactor workload (100 orders, each a task with a span,
 * hopping to the parallel scheduler) while tracing, with JVM runtime events off and
 * on (issue 9's figure).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RuntimeEventsBenchmark}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class RuntimeEventsBenchmark {
    /** "off": tracing without runtime events; "on": with them (JFR stream running). */
    @Param({"off", "on"})
    String runtime;

    @Setup(Level.Trial)
    public void start() {
        TraceOptions options = TraceOptions.defaults();
        if (runtime.equals("on")) {
            options = options.withRuntimeEvents(RuntimeEvents.defaults());
        }
        Trace.start(OutputStream.nullOutputStream(), options);
    }

    @TearDown(Level.Trial)
    public void stop() {
        System.out.println("\n[recording] " + Trace.stop());
    }

    @Benchmark
    public Long hundredOrders() {
        return Flux.range(0, 100)
                .flatMap(i -> Mono.fromCallable(() -> brew(i))
                        .transform(Trace.span("brew"))
                        .subscribeOn(Schedulers.parallel())
                        .transform(Trace.task("order")))
                .reduce(0L, Long::sum)
                .block();
    }

    private static long brew(int i) {
        long x = i;
        for (int k = 0; k < 200; k++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }
}
