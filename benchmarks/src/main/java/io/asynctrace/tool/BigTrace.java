package io.asynctrace.tool;

import io.asynctrace.RuntimeEvents;
import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes a big trace for the tool's scripted benchmarks (BENCHMARKS.md): two threads,
 * each a loop of tasks ({@code checkout}, with attribute {@code region} = ap, eu or us and,
 * on one task in ten, {@code tier=gold}) of 8 spans and a log, with JVM runtime events
 * (GC pauses, heap), until the file reaches the size asked.
 *
 * <p>With a third argument {@code stacks} (issue 15's {@code asynctrace profile}): stacks of
 * 16 frames on asynctrace's events from call sites 1 to 24 calls deep, a job queued and run
 * in each task, and on the JVM runtime side (threshold 1 ms) a sleep, a park and a contended
 * monitor now and then, so that every profile kind but {@code socket} and {@code pinned}
 * has samples.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.asynctrace.tool.BigTrace big1g.trace 1024 [stacks]}
 */
public final class BigTrace {
    private BigTrace() {
    }

    /**
     * @param args the output file and its size in MiB
     * @throws Exception if the file cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long bytes = Long.parseLong(args[1]) << 20;
        boolean stacks = args.length > 2 && args[2].equals("stacks");
        String[] regions = {"ap", "eu", "us"};
        long start = System.nanoTime();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            TraceOptions options = TraceOptions.defaults().withRuntimeEvents(RuntimeEvents.defaults());
            if (stacks) {
                options = options.withStackDepth(16)
                        .withRuntimeEvents(RuntimeEvents.defaults().withBlockingThreshold(Duration.ofMillis(1)));
            }
            Trace.start(out, options);
            Thread[] threads = new Thread[2];
            long[] tasks = new long[threads.length];
            for (int t = 0; t < threads.length; t++) {
                int me = t;
                threads[t] = new Thread(() -> {
                    long n = 0;
                    while (n % 10_000 != 0 || sizeOf(file) < bytes) {
                        try (Task task = Trace.newTask("checkout"); Scope sc = task.makeCurrent()) {
                            task.attr("region", regions[(int) (n % 3)]);
                            if (n % 10 == me) {
                                task.attr("tier", "gold");
                            }
                            if (stacks) {
                                nested((int) (n % 24), n, me);
                            } else {
                                for (int k = 0; k < 8; k++) {
                                    Trace.withSpan(k % 2 == 0 ? "db" : "render", () -> { });
                                }
                                Trace.log("order", "n");
                            }
                        }
                        n++;
                    }
                    tasks[me] = n;
                }, "loop-" + t);
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            Trace.stop();
            System.out.printf("%s: %,d tasks, %,d bytes in %.1f s%n", file, tasks[0] + tasks[1], Files.size(file),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    private static final Object LOCK = new Object();

    /** The task's work {@code depth} calls deep: distinct stacks, and now and then a wait. */
    private static void nested(int depth, long n, int me) {
        if (depth > 0) {
            nested(depth - 1, n, me);
            return;
        }
        long job = Trace.jobQueued();
        Trace.jobStarted(job);
        for (int k = 0; k < 8; k++) {
            Trace.withSpan(k % 2 == 0 ? "db" : "render", () -> { });
        }
        Trace.jobFinished(job);
        Trace.log("order", "n");
        if (n % 2000 == 0) {
            sleepAWhile();
        } else if (n % 2000 == 1000) {
            LockSupport.parkNanos(2_000_000);
        } else if (n % 1000 == 500 || me == 1 && n % 10 == 0) {
            holdTheLock(me == 0 ? 2 : 0);
        }
    }

    private static void sleepAWhile() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void holdTheLock(long millis) {
        synchronized (LOCK) {
            long until = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
