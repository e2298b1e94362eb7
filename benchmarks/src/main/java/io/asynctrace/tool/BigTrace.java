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

/**
 * Writes a big trace for the tool's scripted benchmarks (BENCHMARKS.md): two threads,
 * each a loop of tasks ({@code checkout}, with attribute {@code region} = ap, eu or us and,
 * on one task in ten, {@code tier=gold}) of 8 spans and a log, with JVM runtime events
 * (GC pauses, heap), until the file reaches the size asked.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.asynctrace.tool.BigTrace big1g.trace 1024}
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
        String[] regions = {"ap", "eu", "us"};
        long start = System.nanoTime();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            Trace.start(out, TraceOptions.defaults().withRuntimeEvents(RuntimeEvents.defaults()));
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
                            for (int k = 0; k < 8; k++) {
                                Trace.withSpan(k % 2 == 0 ? "db" : "render", () -> { });
                            }
                            Trace.log("order", "n");
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

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
