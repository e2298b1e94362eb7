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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Writes a trace of a virtual thread per request (Java 21+) for {@code asynctrace profile}'s
 * bounded memory (BENCHMARKS.md, issue 15): {@code requests} tasks, each on a thread of its
 * own, a span and a 2 ms sleep (a JVM runtime event with its stack) in each.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.asynctrace.tool.ManyThreadsTrace threads.trace 200000}
 */
public final class ManyThreadsTrace {
    private ManyThreadsTrace() {
    }

    /**
     * @param args the output file and the number of requests
     * @throws Exception if the file cannot be written, or before Java 21
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int requests = Integer.parseInt(args[1]);
        long start = System.nanoTime();
        ExecutorService threads = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                .invoke(null);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            Trace.start(out, TraceOptions.defaults().withStackDepth(16)
                    .withRuntimeEvents(RuntimeEvents.defaults().withBlockingThreshold(Duration.ofMillis(1))));
            for (int i = 0; i < requests; i++) {
                threads.execute(ManyThreadsTrace::request);
            }
            threads.shutdown();
            if (!threads.awaitTermination(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the requests did not finish in 30 minutes");
            }
            Trace.stop();
        }
        System.out.printf("%s: %,d requests on as many virtual threads, %,d bytes in %.1f s%n", file, requests,
                Files.size(file), (System.nanoTime() - start) / 1e9);
    }

    private static void request() {
        try (Task task = Trace.newTask("request")) {
            Scope current = task.makeCurrent();
            try {
                Trace.withSpan("handle", ManyThreadsTrace::napUntilTheReplyComes);
            } finally {
                current.close();
            }
        }
    }

    private static void napUntilTheReplyComes() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
