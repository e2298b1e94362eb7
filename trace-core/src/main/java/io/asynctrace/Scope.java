package io.asynctrace;

/**
 * A region of code during which a task is the current task of a thread; closing
 * it restores what was current before.
 *
 * <p>Use it with try-with-resources on the thread that opened it:
 * <pre>{@code
 * try (Scope scope = task.makeCurrent()) {
 *     Trace.log("orderID", id);   // lands on task
 * }
 * }</pre>
 *
 * <p>Closing a scope twice, on another thread, or out of order is misuse: it is
 * recorded in the trace (and throws only in {@linkplain TraceOptions#strict strict} mode).
 */
public interface Scope extends AutoCloseable {
    /** Restores the task (and span) that was current when this scope was opened. Never throws. */
    @Override
    void close();
}
