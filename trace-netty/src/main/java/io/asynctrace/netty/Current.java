package io.asynctrace.netty;

import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;

/**
 * Switching the calling thread's current task around reactor-netty's calls into a
 * request's publisher, and back; the same contract as trace-reactor's propagation.
 * {@link #enter} and {@link #exit} are called in pairs on one thread, strictly nested:
 * {@code enter} writes only when the thread has another task current, and
 * {@code exit} then restores the previous task and span. No allocation, no throw.
 */
final class Current {
    private static final Object SAME = new Object();
    private static final TaskThreadLocalAccessor ACCESSOR = new TaskThreadLocalAccessor();

    private Current() {
    }

    /** @return the token for {@link #exit} */
    static Object enter(Task task) {
        Task previous = ACCESSOR.getValue();
        if (previous == task) {
            return SAME;
        }
        ACCESSOR.setValue(task);
        return previous;
    }

    static void exit(Object token) {
        if (token != SAME) {
            ACCESSOR.restore((Task) token);
        }
    }
}
