package io.asynctrace.tool;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the view's answers, each within a deadline: a client that does not read its answer
 * (once the socket's buffers are full, the JDK server's write blocks for good) has its
 * connection closed from a timer thread past {@link #timeoutNanos}, which ends the blocked
 * write with an exception, so the HTTP thread is free again (review 17b R2).
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Each exchange is closed exactly once: after its answer is written, or by the timer
 *       (one compare-and-set decides), never both. Closing a JDK exchange whose answer is not
 *       all written closes its connection.</li>
 *   <li>The timeout is cancelled, and removed from the timer's queue, once the write ends.</li>
 *   <li>After {@link #close()} an answer is not written: its exchange is closed.</li>
 * </ul>
 */
final class AnswerWrites implements AutoCloseable {
    /** How long a client may take to take in an answer; tests shorten it. */
    volatile long timeoutNanos;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "asynctrace-view-write-timeout");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong cut = new AtomicLong();

    AnswerWrites(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        timer.setRemoveOnCancelPolicy(true); // one per answer: cancelled ones would pile up until due
    }

    /**
     * Writes the answer (its headers only for a HEAD) and closes the exchange.
     *
     * @throws IOException if the client went away or did not take the answer in within the timeout
     */
    void send(HttpExchange exchange, ViewServer.Answer a, boolean head) throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        ScheduledFuture<?> timeout;
        try {
            timeout = timer.schedule(() -> {
                if (closed.compareAndSet(false, true)) {
                    cut.incrementAndGet();
                    exchange.close(); // a partial answer: the JDK server closes the connection
                }
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) { // the view is closing
            exchange.close();
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", a.type());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (a.askAgainNow()) {
                exchange.getResponseHeaders().set("Retry-After", "0");
            }
            if (head) {
                // What the GET would send; the JDK server keeps a length set before a -1 (no body).
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(a.body().length));
            }
            exchange.sendResponseHeaders(a.status(), head || a.body().length == 0 ? -1 : a.body().length);
            if (!head) {
                exchange.getResponseBody().write(a.body());
            }
        } finally {
            timeout.cancel(false);
            if (closed.compareAndSet(false, true)) {
                exchange.close();
            }
        }
    }

    /** @return how many answers were cut because their client did not take them in within the timeout */
    long cut() {
        return cut.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
