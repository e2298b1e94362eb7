package io.asynctrace.benchmarks.future;

import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.future.TracedCompletableFuture;
import io.asynctrace.future.TracedExecutors;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextSnapshotFactory;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

/**
 * Cost per submitted job of {@code TracedExecutors.wrap}: the plain executor, the
 * wrapper with tracing off and on, and Micrometer's {@code ContextExecutorService.wrap}
 * alone (what the wrapper builds on), with a task current on the submitting thread.
 *
 * <p>{@code direct*} run the job inline on a direct executor service, so the figure is
 * the wrapper's own cost (capture, install, restore, job events) without a thread
 * hand-off; {@code pool*} submit to a one-thread pool and wait for the result, the
 * cost a caller really sees. {@code thenApply*} measure one dependent stage of a
 * completed {@code CompletableFuture} versus a {@code TracedCompletableFuture}.
 * Each benchmark method runs in its own fork (tracing is JVM-global); "on" records into
 * a null stream.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ExecutorBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ExecutorBenchmark {
    private static final Runnable JOB = () -> { };
    private static final Function<Integer, Integer> F = x -> x + 1;

    /** The executors under test, plus a task current on the benchmark thread; tracing off. */
    @State(Scope.Thread)
    public static class Executors4 {
        ExecutorService directPlain;
        ExecutorService directContext;
        ExecutorService directTraced;
        ExecutorService pool;
        ExecutorService poolContext;
        ExecutorService poolTraced;
        CompletableFuture<Integer> plainDone;
        CompletableFuture<Integer> tracedDone;
        private Task task;
        private io.asynctrace.Scope scope;

        @Setup(Level.Trial)
        public void setUp() {
            if (tracing()) {
                Trace.start(OutputStream.nullOutputStream());
            }
            ContextSnapshotFactory factory = ContextSnapshotFactory.builder().clearMissing(true).build();
            directPlain = new DirectExecutorService();
            directContext = ContextExecutorService.wrap(new DirectExecutorService(), factory);
            directTraced = TracedExecutors.wrap(new DirectExecutorService());
            pool = Executors.newSingleThreadExecutor();
            poolContext = ContextExecutorService.wrap(pool, factory);
            poolTraced = TracedExecutors.wrap(pool);
            plainDone = CompletableFuture.completedFuture(41);
            tracedDone = TracedCompletableFuture.completedFuture(41);
            task = Trace.newTask("bench");
            scope = task.makeCurrent();
        }

        /** @return whether a recording runs during the benchmark */
        boolean tracing() {
            return false;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            scope.close();
            task.end();
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            Trace.stop();
        }
    }

    /** Same as {@link Executors4} with a recording running. */
    @State(Scope.Thread)
    public static class TracingOn extends Executors4 {
        @Override
        boolean tracing() {
            return true;
        }
    }

    @Benchmark
    public void directPlain(Executors4 s) {
        s.directPlain.execute(JOB);
    }

    @Benchmark
    public void directContextExecutorService(Executors4 s) {
        s.directContext.execute(JOB);
    }

    @Benchmark
    public void directTracedOff(Executors4 s) {
        s.directTraced.execute(JOB);
    }

    @Benchmark
    public void directTracedOn(TracingOn s) {
        s.directTraced.execute(JOB);
    }

    @Benchmark
    public Object poolPlain(Executors4 s) throws InterruptedException, ExecutionException {
        return s.pool.submit(JOB).get();
    }

    @Benchmark
    public Object poolContextExecutorService(Executors4 s) throws InterruptedException, ExecutionException {
        return s.poolContext.submit(JOB).get();
    }

    @Benchmark
    public Object poolTracedOff(Executors4 s) throws InterruptedException, ExecutionException {
        return s.poolTraced.submit(JOB).get();
    }

    @Benchmark
    public Object poolTracedOn(TracingOn s) throws InterruptedException, ExecutionException {
        return s.poolTraced.submit(JOB).get();
    }

    @Benchmark
    public void thenApplyPlain(Executors4 s, Blackhole bh) {
        bh.consume(s.plainDone.thenApply(F));
    }

    @Benchmark
    public void thenApplyTracedOff(Executors4 s, Blackhole bh) {
        bh.consume(s.tracedDone.thenApply(F));
    }

    @Benchmark
    public void thenApplyTracedOn(TracingOn s, Blackhole bh) {
        bh.consume(s.tracedDone.thenApply(F));
    }

    /** Runs every job inline on the caller: measures wrappers without a thread hand-off. */
    static final class DirectExecutorService extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return shutdown;
        }
    }
}
