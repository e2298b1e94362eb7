package io.asynctrace.benchmarks.core;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Bytes per event for a realistic mix: orders on a 4-thread pool, each a task with
 * three spans (two nested) and one log.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.asynctrace.benchmarks.core.EventSizeReport}
 */
public final class EventSizeReport {
    private EventSizeReport() {
    }

    public static void main(String[] args) throws Exception {
        int orders = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        report("tasks and spans only", orders, false, 0);
        report("tasks, spans and a log per task", orders, true, 0);
        // Issue 15: the same with stacks of 16 frames on task begins, span begins and logs (call sites repeat).
        report("the same, stacks of 16 frames", orders, true, 16);
    }

    private static void report(String label, int orders, boolean withLog, int stackDepth) throws Exception {
        byte[] trace = record(orders, withLog, stackDepth);
        TraceModel m = TraceModel.read(new ByteArrayInputStream(trace));
        if (m.tasks().size() != orders) {
            throw new IllegalStateException(label + ": " + m.tasks().size() + " tasks recorded of " + orders);
        }
        System.out.printf("%-34s %,d events, %,d bytes, %.2f bytes/event, dropped %d%n", label, m.events(),
                trace.length, (double) trace.length / m.events(), m.dropped());
    }

    /**
     * Records the mix: {@code orders} tasks on a 4-thread pool, each with three spans
     * (two nested) and, if {@code withLog}, a log.
     *
     * @return the trace's bytes
     */
    public static byte[] record(int orders, boolean withLog) throws InterruptedException {
        return record(orders, withLog, 0);
    }

    /**
     * {@link #record(int, boolean)} with stacks of {@code stackDepth} frames ({@code TraceOptions.withStackDepth}).
     *
     * @return the trace's bytes
     */
    public static byte[] record(int orders, boolean withLog, int stackDepth) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, io.asynctrace.TraceOptions.defaults().withStackDepth(stackDepth));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < orders; i++) {
            String id = Integer.toString(i);
            pool.execute(() -> {
                try (Task order = Trace.newTask("order"); Scope s = order.makeCurrent()) {
                    Trace.withSpan("makeCappuccino", () -> {
                        Trace.withSpan("steamMilk", () -> { });
                        Trace.withSpan("extractCoffee", () -> { });
                    });
                    if (withLog) {
                        Trace.log("orderID", id);
                    }
                }
            });
        }
        pool.shutdown();
        // Every order, however slow the machine: a partial run would compare unlike mixes.
        if (!pool.awaitTermination(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the pool did not finish " + orders + " orders in 30 minutes");
        }
        Trace.stop();
        return out.toByteArray();
    }
}
