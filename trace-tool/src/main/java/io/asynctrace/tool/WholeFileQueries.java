package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * The view's queries that read the whole file (a histogram bucket's instances, a task asked
 * by id alone): one at a time, on a thread of their own, each stopped once nobody asks for it.
 * The JDK's HTTP server cannot tell a handler that its client went away, so a query is kept
 * alive by being asked for: a request waits for its answer {@link #waitNanos} at most, then
 * gets a 503 with {@code Retry-After: 0}, and the page asks again at once.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>{@link #ask} starts the query of a key (the request's path and parameters), or joins
 *       the one of that key already running, and waits for it; a query of another key asked
 *       for meanwhile is told {@link Outcome#BUSY} at once.</li>
 *   <li>A running query that nobody waits for and nobody asked for within {@link #keepNanos}
 *       (its client went away, or the page moved on to another bucket) stops at its next
 *       segment ({@link Passes.Abandoned}), counted in {@link #stopped()}: an abandoned query
 *       holds the file for {@code waitNanos + keepNanos} and one segment's read at most, not
 *       to its end (review 56 R1).</li>
 *   <li>A finished answer is kept, for the same key asked again, until a query of another key
 *       starts.</li>
 * </ul>
 */
final class WholeFileQueries implements AutoCloseable {
    /** What {@link #ask} came to: the answer, still running (ask again), or another query runs. */
    enum Outcome { DONE, RUNNING, BUSY }

    /** {@link #ask}'s result: the outcome and, when {@link Outcome#DONE}, the answer. */
    record Result(Outcome outcome, ViewServer.Answer answer) {
    }

    /** A query: computes the answer, reading the file through the handler {@code around} gives it. */
    interface Body {
        ViewServer.Answer run(UnaryOperator<TraceHandler> around);
    }

    /** How long a request waits for its query's answer before it is told to ask again. */
    volatile long waitNanos = TimeUnit.SECONDS.toNanos(2);
    /** How long after its last request's end a query nobody asks for goes on. */
    volatile long keepNanos = TimeUnit.SECONDS.toNanos(5);
    /** Tests' hook: told a query's key as it starts reading (it may block, as a long query would). */
    volatile java.util.function.Consumer<String> starting = key -> { };

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "asynctrace-view-query");
        t.setDaemon(true);
        return t;
    });
    /** The query running, or the last one done; guarded by this. */
    private Query current;
    private long stopped;

    private final class Query {
        final String key;
        final CompletableFuture<ViewServer.Answer> answer = new CompletableFuture<>();
        /** Guarded by the {@link WholeFileQueries}: requests waiting for it, when the last one ended. */
        int waiting;
        long lastAsked = System.nanoTime();

        Query(String key) {
            this.key = key;
        }

        /** @return {@code h}, stopping at its next segment once nobody asks for the query */
        TraceHandler stopping(TraceHandler h) {
            return new TeeHandler(new TraceHandler() {
                @Override
                public void onSegment(long sequence, long offset, long dropped) {
                    if (unwanted()) {
                        throw new Passes.Abandoned();
                    }
                }
            }, h);
        }

        private boolean unwanted() {
            synchronized (WholeFileQueries.this) {
                return waiting == 0 && System.nanoTime() - lastAsked > keepNanos;
            }
        }
    }

    /**
     * Runs or joins the query of {@code key} and waits for it, up to {@link #waitNanos}.
     *
     * @param body computes the answer (on the queries' thread) if this request starts the query
     * @throws InterruptedException if the waiting thread is interrupted (the view is closing)
     */
    Result ask(String key, Body body) throws InterruptedException {
        Query q;
        synchronized (this) {
            if (current != null && !current.key.equals(key) && !current.answer.isDone()) {
                return new Result(Outcome.BUSY, null);
            }
            if (current == null || !current.key.equals(key)) {
                Query started = new Query(key);
                current = started;
                thread.execute(() -> run(started, body));
            }
            q = current;
            q.waiting++;
        }
        try {
            return new Result(Outcome.DONE, q.answer.get(waitNanos, TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return new Result(Outcome.RUNNING, null);
        } catch (ExecutionException e) { // run() completes every query with an answer
            throw new IllegalStateException(e.getCause());
        } finally {
            synchronized (this) {
                q.waiting--;
                q.lastAsked = System.nanoTime();
            }
        }
    }

    private void run(Query q, Body body) {
        ViewServer.Answer a;
        try {
            starting.accept(q.key);
            a = body.run(q::stopping);
        } catch (Passes.Abandoned e) {
            synchronized (this) {
                stopped++;
                if (current == q) {
                    current = null; // asked again: it starts over
                }
            }
            a = ViewServer.Answer.error(ViewServer.SERVICE_UNAVAILABLE, "stopped: nobody asked for it within "
                    + TimeUnit.NANOSECONDS.toMillis(keepNanos) + " ms; ask again");
        } catch (Throwable e) { // an Error too (out of memory): the request gets an answer, not a hang
            a = ViewServer.Answer.error(ViewServer.INTERNAL_SERVER_ERROR, "internal error: " + ViewData.oneLine(e));
        }
        q.answer.complete(a);
    }

    /** @return how many queries were stopped because nobody asked for them any more */
    synchronized long stopped() {
        return stopped;
    }

    /** Stops the queries' thread; a running query is interrupted. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
