package io.asynctrace.reactor;

import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import reactor.util.context.ContextView;

/** Reading the task out of a Reactor {@link ContextView}. */
final class Contexts {
    private Contexts() {
    }

    /** Returns the task stored under {@link TaskThreadLocalAccessor#KEY} in {@code ctx}, or null. */
    static Task task(ContextView ctx) {
        if (ctx.isEmpty()) {
            return null;
        }
        Object o = ctx.getOrDefault(TaskThreadLocalAccessor.KEY, null);
        return o instanceof Task ? (Task) o : null;
    }

    /** Returns the task in {@code ctx}, else the calling thread's current task, or null. */
    static Task taskOrCurrent(ContextView ctx) {
        Task t = task(ctx);
        return t != null ? t : io.asynctrace.Trace.currentTask();
    }
}
