package io.asynctrace.internal;

/**
 * Told of every task that ends while a recording runs, on the ending thread, right after
 * the end is recorded. For asynctrace's own modules (trace-otel's live exporter); not a
 * stable API.
 *
 * <p><b>Assumptions and guarantees.</b> An implementation must return quickly and never
 * block: it runs on application threads (hand the event to a bounded queue and drop,
 * counted, when it is full). An exception it throws is swallowed and does not reach the
 * application; the other listeners are still called. Nothing is called while tracing is
 * off: with no listener registered the cost in {@code Task.end} is one volatile read.
 */
@FunctionalInterface
public interface TaskEndListener {
    /**
     * @param task the task that ended
     */
    void onTaskEnd(TaskEnd task);
}
