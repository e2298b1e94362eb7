package io.asynctrace;

import io.micrometer.context.ThreadLocalAccessor;

/**
 * Registers asynctrace's current task with Micrometer Context Propagation, so that
 * {@code ContextSnapshot}, {@code ContextExecutorService} and Reactor's automatic
 * context propagation carry it across threads. Found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.micrometer.context.ThreadLocalAccessor}); nothing to
 * call. Key: {@value #KEY}.
 *
 * <p>Setting a propagated task starts a fresh span nesting under it (the span that
 * was open on the sending thread travels separately, with {@link SpanThreadLocalAccessor});
 * restoring puts back both the task and the span the thread had, so a span open
 * around a snapshot scope is still the current span when the scope closes.
 */
public final class TaskThreadLocalAccessor implements ThreadLocalAccessor<Task> {
    /** The key under which the current task is propagated. */
    public static final String KEY = "io.asynctrace.task";

    /** Called by {@link java.util.ServiceLoader}. */
    public TaskThreadLocalAccessor() {
    }

    @Override
    public Object key() {
        return KEY;
    }

    @Override
    public Task getValue() {
        return ThreadState.current().task;
    }

    @Override
    public void setValue(Task value) {
        ThreadState st = ThreadState.current();
        st.pushSpan();
        st.task = value;
        st.span = 0;
    }

    @Override
    public void setValue() {
        setValue(null);
    }

    @Override
    public void restore(Task previousValue) {
        ThreadState st = ThreadState.current();
        st.task = previousValue;
        st.span = st.popSpan();
    }

    @Override
    public void restore() {
        restore(null);
    }
}
