package io.asynctrace.jmh;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH's worker thread pool, with the running iteration's task current on the workers:
 * what {@link TraceProfiler} asks the forked JVM to use
 * ({@code -Djmh.executor=CUSTOM -Djmh.executor.class=io.asynctrace.jmh.IterationExecutor}),
 * so that the tasks, spans and logs a benchmark records are children of the iteration
 * that ran them. Not meant to be used directly; public only because JMH creates it by
 * reflection.
 *
 * <p>It is JMH's default ({@code PLATFORM}) executor otherwise: a fixed pool of daemon
 * platform threads named {@code <benchmark>-jmh-worker-<n>}, created once per benchmark.
 * JMH hands it one job per benchmark thread at the start of each iteration (the job
 * runs the iteration's {@code @Setup}, measured loop and {@code @TearDown}); the job
 * runs with the iteration's task current, which {@link TraceProfiler} sets before JMH
 * submits the jobs and clears after they have all finished. A job submitted while no
 * iteration is recorded runs with no task, as without the profiler. The cost is one
 * {@code Task.makeCurrent()} per benchmark thread per iteration, outside the measured
 * loop.
 */
public final class IterationExecutor extends ThreadPoolExecutor {
    /** The recorded iteration running now, or null; set by the profiler on JMH's main thread. */
    private static volatile Task current;

    /**
     * Called by JMH.
     *
     * @param threads the benchmark's thread count
     * @param prefix the benchmark's name, the prefix of the worker threads' names
     */
    public IterationExecutor(int threads, String prefix) {
        super(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), new Workers(prefix));
    }

    static void setCurrent(Task task) {
        current = task;
    }

    @Override
    public void execute(Runnable job) {
        Task task = current;
        super.execute(task == null ? job : new InIteration(task, job));
    }

    /** A job that runs with an iteration's task current on its thread. */
    private static final class InIteration implements Runnable {
        private final Task task;
        private final Runnable job;

        InIteration(Task task, Runnable job) {
            this.task = task;
            this.job = job;
        }

        @Override
        public void run() {
            try (Scope scope = task.makeCurrent()) {
                job.run();
            }
        }
    }

    /** Threads named and made like JMH's own platform workers. */
    private static final class Workers implements ThreadFactory {
        private final ThreadFactory factory = Executors.defaultThreadFactory();
        private final AtomicInteger count = new AtomicInteger();
        private final String prefix;

        Workers(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread thread = factory.newThread(r);
            thread.setName(prefix + "-jmh-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
