package io.asynctrace.future;

import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.micrometer.context.ContextSnapshot;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The executor of one async stage of a {@link TracedCompletableFuture}: created with
 * the stage, it holds the context of that moment, and each job it is handed (when the
 * stage's sources complete, on whatever thread) is recorded as queued for the stage's
 * task and runs with that context. Jobs go straight to the delegate of a traced
 * executor, so they are recorded once.
 */
final class StageExecutor implements Executor {
    private final ContextSnapshot snapshot;
    private final Task task;
    private final Executor target;

    private StageExecutor(ContextSnapshot snapshot, Task task, Executor target) {
        this.snapshot = snapshot;
        this.task = task;
        this.target = target;
    }

    /** @return an executor for a stage created now on the calling thread, running on {@code executor} */
    static Executor of(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return new StageExecutor(Propagation.capture(), Trace.currentTask(), Propagation.target(executor));
    }

    @Override
    public void execute(Runnable command) {
        target.execute(Job.of(command, snapshot, Propagation.queuedFor(task)));
    }

    @Override
    public String toString() {
        return "Stage[" + target + "]";
    }
}
