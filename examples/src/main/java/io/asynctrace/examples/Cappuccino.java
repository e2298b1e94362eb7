package io.asynctrace.examples;

import io.asynctrace.RecordingStats;
import io.asynctrace.RuntimeEvents;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import reactor.core.publisher.Mono;

/**
 * The cappuccino workload of Go's {@code runtime/trace} documentation, made twice:
 * once with Reactor, once with {@code CompletableFuture}. Every order is a task
 * {@code makeCappuccino} (attribute-free; the variant shows in its threads) with the
 * spans {@code steamMilk} and {@code extractCoffee} running in parallel on small
 * pools, then {@code mixMilkCoffee}, and the log {@code orderID}. One order in 23
 * burns its milk and fails, and one in 11 pulls a slow shot, so the trace has
 * outcomes and a latency tail to look at.
 *
 * <pre>{@code
 * Cappuccino.record(Path.of("cappuccino.trace"), 200);   // or: asynctrace demo
 * }</pre>
 *
 * <p>Run it on its own with
 * {@code java -cp <classpath> io.asynctrace.examples.Cappuccino [FILE [ORDERS]]}.
 */
public final class Cappuccino {
    /** Orders per variant that {@link #main} and {@code asynctrace demo} make by default. */
    public static final int DEFAULT_ORDERS = 200;

    private Cappuccino() {
    }

    /**
     * Makes {@code orders} cappuccinos with Reactor, then {@code orders} with
     * {@code CompletableFuture}, recording into whatever trace is on (none is fine).
     *
     * @param orders orders per variant, at least 1
     * @return how many cappuccinos were made (failed orders are not)
     */
    public static long run(int orders) {
        if (orders < 1) {
            throw new IllegalArgumentException("orders must be at least 1, was " + orders);
        }
        return ReactorCappuccino.run(orders, 16) + FutureCappuccino.run(orders);
    }

    /**
     * Makes one cappuccino with Reactor, as the reply to a request: a task
     * {@code makeCappuccino} (a child of the request's task when served by a traced
     * server) with its spans and log. Installs {@code ReactorTracing}.
     *
     * @param id the order number
     * @return the reply text once the cappuccino is made (or its milk burnt)
     */
    public static Mono<String> order(int id) {
        return ReactorCappuccino.serve(id);
    }

    /**
     * Records the workload into {@code file}: starts tracing (with JVM runtime events),
     * runs {@link #run}, stops.
     *
     * @param file where the trace goes (replaced if it exists)
     * @param orders orders per variant
     * @return what the recording wrote
     * @throws IOException if the file cannot be written
     * @throws IllegalStateException if tracing is already on
     */
    public static RecordingStats record(Path file, int orders) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            // With the JVM's own events (GC, blocking, socket I/O) from JDK Flight Recorder beside the tasks.
            Trace.start(out, TraceOptions.defaults().withRuntimeEvents(RuntimeEvents.defaults()));
            RecordingStats stats;
            try {
                run(orders);
            } finally {
                stats = Trace.stop();
            }
            if (stats.failure().isPresent()) {
                throw new IOException("writing " + file + " failed: " + stats.failure().get());
            }
            return stats;
        }
    }

    /**
     * Records the workload into a file.
     *
     * @param args optional file name (default {@code cappuccino.trace}) and orders per variant
     * @throws IOException if the file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "cappuccino.trace");
        int orders = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_ORDERS;
        RecordingStats stats = record(file, orders);
        System.out.println("wrote " + file + " (" + stats.bytesWritten() + " bytes); look at it with: asynctrace summary "
                + file);
    }
}
