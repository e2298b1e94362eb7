package io.asynctrace.benchmarks.otel;

import io.asynctrace.benchmarks.core.EventSizeReport;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the export benchmark's trace: {@code ORDERS} orders from {@link EventSizeReport#record},
 * each a task with three spans and a log (four exported spans per order).
 *
 * <pre>
 * java -cp benchmarks.jar io.asynctrace.benchmarks.otel.OrdersTrace 250000 orders.trace
 * </pre>
 */
public final class OrdersTrace {
    private OrdersTrace() {
    }

    public static void main(String[] args) throws Exception {
        byte[] trace = EventSizeReport.record(Integer.parseInt(args[0]), true);
        Files.write(Path.of(args[1]), trace);
        System.out.println("wrote " + args[1] + ": " + args[0] + " orders, " + trace.length + " bytes");
    }
}
