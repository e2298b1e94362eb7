package io.asynctrace.future;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Wraps executors so that each job runs with the context of the code that submitted
 * it: asynctrace's current task, and every other thread-local registered with
 * Micrometer Context Propagation (MDC, observations).
 *
 * <p><b>Contract.</b> For {@code execute}, {@code submit}, {@code invokeAll} and
 * {@code invokeAny}, the wrapper captures the submitting thread's context (a
 * {@code ContextSnapshotFactory} with {@code clearMissing(true)}) and records
 * <em>queued</em> for the current task ({@link io.asynctrace.Trace#jobQueued}); the
 * worker records <em>started</em>, runs the job with that context, records
 * <em>finished</em> and puts its own context back, also when the job throws. So the
 * tool splits a task's time into waiting for a thread and running, and a pool thread
 * never keeps a task after a job. {@code schedule*} jobs carry the context but record
 * no job events (their delay is asked for, not a wait for a thread). Lifecycle
 * methods ({@code shutdown}, {@code shutdownNow}, {@code awaitTermination}, ...) are the
 * delegate's; {@code shutdownNow} returns the runnables given to {@code execute}.
 *
 * <p>While tracing is off the context still travels (tasks exist without a
 * recording, and MDC must flow anyway); no job events are recorded. Wrapping a
 * wrapper returns it unchanged. The wrappers are thread-safe if the delegate is.
 *
 * <pre>{@code
 * ExecutorService pool = TracedExecutors.wrap(Executors.newFixedThreadPool(4));
 * try (Task order = Trace.newTask("order"); Scope s = order.makeCurrent()) {
 *     pool.submit(() -> Trace.withSpan("brew", () -> brew(order))); // runs under order
 * }
 * }</pre>
 *
 * <p>Virtual threads (Java 21+) need nothing special:
 * {@code TracedExecutors.wrap(Executors.newVirtualThreadPerTaskExecutor())}.
 */
public final class TracedExecutors {
    private TracedExecutors() {
    }

    /**
     * Wraps an executor. An {@link ExecutorService} (or {@link ScheduledExecutorService})
     * passed here is wrapped as one, so the result may be cast back.
     *
     * @param executor the executor to wrap
     * @return a traced view of {@code executor}, or {@code executor} if it already is one
     * @throws NullPointerException if {@code executor} is null
     */
    public static Executor wrap(Executor executor) {
        if (executor instanceof ScheduledExecutorService) {
            return wrap((ScheduledExecutorService) executor);
        }
        if (executor instanceof ExecutorService) {
            return wrap((ExecutorService) executor);
        }
        if (executor instanceof TracedExecutor) {
            return executor;
        }
        return new TracedExecutor(executor);
    }

    /**
     * Wraps an executor service.
     *
     * @param executor the service to wrap; a {@link ScheduledExecutorService} stays one
     * @return a traced view of {@code executor}, or {@code executor} if it already is one
     * @throws NullPointerException if {@code executor} is null
     */
    public static ExecutorService wrap(ExecutorService executor) {
        if (executor instanceof ScheduledExecutorService) {
            return wrap((ScheduledExecutorService) executor);
        }
        if (executor instanceof TracedExecutorService) {
            return executor;
        }
        return new TracedExecutorService(executor);
    }

    /**
     * Wraps a scheduled executor service.
     *
     * @param executor the service to wrap
     * @return a traced view of {@code executor}, or {@code executor} if it already is one
     * @throws NullPointerException if {@code executor} is null
     */
    public static ScheduledExecutorService wrap(ScheduledExecutorService executor) {
        if (executor instanceof TracedScheduledExecutorService) {
            return executor;
        }
        return new TracedScheduledExecutorService(executor);
    }

    /**
     * Returns the executor {@link TracedCompletableFuture} runs async stages on when
     * given none: {@code CompletableFuture}'s own default (the common pool, or a
     * thread per job when the common pool has a single thread), wrapped.
     *
     * @return the shared wrapped default async executor
     */
    public static Executor defaultAsyncExecutor() {
        return TracedCompletableFuture.DEFAULT_EXECUTOR;
    }
}
