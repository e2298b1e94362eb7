package io.asynctrace.jmh;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The benchmark the tests run through {@link TraceProfiler}: each operation is a task of
 * type {@code op} with a span {@code work} (a few microseconds of CPU, so that the files
 * stay small), and each iteration's setup a span {@code setup} that forces a GC.
 * Nothing here knows about the profiler.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SampleBenchmark {
    @Param({"1", "2"})
    public int size;

    @Param("cpu")
    public String kind;

    private int iterations;

    @Setup(Level.Iteration)
    public void setup() {
        iterations++;
        Trace.withSpan("setup", System::gc);
    }

    @Benchmark
    public void work() {
        try (Task op = Trace.newTask("op"); Scope s = op.makeCurrent()) {
            Trace.withSpan("work", () -> Blackhole.consumeCPU(size * 20_000L));
        }
    }

    /** Like {@link #work}, but throws in its third iteration. */
    @Benchmark
    public void fails() {
        if (iterations == 3) {
            throw new IllegalStateException("the third iteration fails");
        }
        work();
    }

    /** Like {@link #work}, but its JVM exits in its third iteration, in the middle of the measured loop. */
    @Benchmark
    public void exits() {
        if (iterations == 3) {
            System.exit(3);
        }
        work();
    }

    /** Emits nothing: what the profiler costs a benchmark by itself. */
    @Benchmark
    public void idle() {
        Blackhole.consumeCPU(size * 20_000L);
    }
}
