package io.asynctrace.future;

import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * What every wrapper in this package shares: how a context is captured, how it is
 * installed around user code and taken down again, and how a job is queued on
 * behalf of a task that is not the calling thread's.
 *
 * <p>Capture uses one Micrometer {@link ContextSnapshotFactory} built with
 * {@code clearMissing(true)}: every registered thread-local (asynctrace's task, MDC,
 * Micrometer observations) travels, and one that was unset at capture is cleared
 * while the user code runs, so a pooled thread never leaks the value of a previous
 * job.
 */
final class Propagation {
    static final ContextSnapshotFactory FACTORY = ContextSnapshotFactory.builder().clearMissing(true).build();
    private static final Object[] NO_CONTEXTS = new Object[0];

    /** What {@link CompletableFuture} itself runs async stages on: the common pool, or a thread per task when it has a single thread. */
    static final Executor JDK_ASYNC_POOL = new CompletableFuture<Void>().defaultExecutor();
    private static final boolean COMMON_POOL_TOO_SMALL = ForkJoinPool.getCommonPoolParallelism() <= 1;

    private Propagation() {
    }

    /** @return the calling thread's propagated thread-locals */
    static ContextSnapshot capture() {
        return FACTORY.captureAll(NO_CONTEXTS);
    }

    /**
     * Installs {@code snapshot} on the calling thread. Closing the returned scope
     * restores the thread's previous values, its current task and span included.
     * Never throws.
     *
     * @param snapshot what to install
     * @return the scope to close on this thread
     */
    static ContextSnapshot.Scope install(ContextSnapshot snapshot) {
        return snapshot.setThreadLocals();
    }

    /**
     * Records that a job is queued on behalf of {@code task}, which need not be the
     * calling thread's current task (a stage fired by the thread that completed its
     * source). The calling thread's task and span are left as they were.
     *
     * @param task the task the job works for, or null
     * @return the job id, 0 while tracing is off
     */
    static long queuedFor(Task task) {
        return Trace.jobQueued(task);
    }

    /**
     * The executor that really runs the jobs of an async stage: the delegate of one of
     * our wrappers (the stage records the job itself), and, as {@code CompletableFuture}
     * does, its own async pool in place of a common pool without parallelism.
     */
    static Executor target(Executor executor) {
        Executor e = executor instanceof TracedExecutor ? ((TracedExecutor) executor).delegate() : executor;
        if (COMMON_POOL_TOO_SMALL && e == ForkJoinPool.commonPool()) {
            return JDK_ASYNC_POOL;
        }
        return e;
    }
}
