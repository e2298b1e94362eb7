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
 *
 * <p>Its static methods ({@code switchTo}, {@code switchBack}, {@code near} and the
 * {@code near}-token overloads) are for adapters that carry the task themselves
 * (trace-reactor, trace-netty), not for applications.
 */
public final class TaskThreadLocalAccessor implements ThreadLocalAccessor<Task> {
    /** The key under which the current task is propagated. */
    public static final String KEY = "io.asynctrace.task";
    /** The token of a {@link #switchTo} that changed nothing. */
    private static final Object SAME = new Object();

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
        ThreadState.current().push(value);
    }

    @Override
    public void setValue() {
        setValue(null);
    }

    @Override
    public void restore(Task previousValue) {
        ThreadState st = ThreadState.current();
        st.pop();
        st.task = previousValue;
    }

    @Override
    public void restore() {
        restore(null);
    }

    /**
     * For adapters that carry the task across threads themselves (trace-reactor's
     * operators, trace-netty's routes): makes {@code task} current on the calling thread
     * where it is not already, with a fresh span nesting, as {@link #setValue(Task)} does.
     * Costs one thread-local lookup, and a field write only when the task differs;
     * allocates nothing.
     *
     * <p><b>Assumptions and guarantees.</b> Each call is paired with one
     * {@link #switchBack} on the same thread, strictly nested (try/finally); the pair
     * may nest inside {@code setValue}/{@code restore} pairs and the other way round.
     * {@code switchBack} puts back the task and span the thread had before, so a pooled
     * thread keeps no task after the pair. Tokens are opaque and good for one
     * {@code switchBack} on the thread that got them; a {@link #near} token is not one
     * ({@code switchBack} ignores it).
     *
     * <pre>{@code
     * Object token = TaskThreadLocalAccessor.switchTo(task);
     * try {
     *     actual.onNext(value);
     * } finally {
     *     TaskThreadLocalAccessor.switchBack(token);
     * }
     * }</pre>
     *
     * @param task the task to make current, or null for none
     * @return the token for {@link #switchBack}
     */
    public static Object switchTo(Task task) {
        ThreadState st = ThreadState.current();
        if (st.task == task) {
            return SAME;
        }
        st.push(task);
        return st;
    }

    /**
     * {@link #switchTo(Task)} for an adapter that switches several times per subscription,
     * mostly on one thread: {@code near} is a token an earlier switch returned (on any
     * thread), kept by the adapter; when it was got on the calling thread, this call
     * saves the thread-local lookup (it compares {@code Thread.currentThread()}). Any
     * other value, such as a token from another thread or {@code null}, only costs the
     * lookup. The returned token is paired with {@link #switchBack} as usual.
     *
     * @param task the task to make current, or null for none
     * @param near a token of an earlier switch, or null
     * @return the token for {@link #switchBack}
     */
    public static Object switchTo(Task task, Object near) {
        ThreadState st = state(near);
        if (st.task == task) {
            return SAME;
        }
        st.push(task);
        return st;
    }

    /**
     * A token of the calling thread for the {@code near} parameters of this class's static
     * methods, for an adapter that calls several of them in a row on one thread: it looks the
     * thread's state up once, here, instead of in each. Like a switch token, good on the thread
     * that got it; passed on another thread it only costs that thread the lookup. For adapters,
     * not applications. It is not a switch token: {@link #switchBack} ignores it. Keep it no
     * longer than the call it serves (it refers to the thread and its state: a kept token
     * keeps a dead thread's).
     *
     * @return the token
     */
    public static Object near() {
        return ThreadState.current().near;
    }

    /**
     * {@link Trace#currentTask()} with a {@link #near} token.
     *
     * @param near a token of an earlier {@link #near} or switch, or null
     * @return the calling thread's current task, or null
     */
    public static Task currentTask(Object near) {
        return state(near).task;
    }

    /**
     * {@link Trace#newTask(String, Task)} with a {@link #near} token.
     *
     * @param type the task type; keep types few
     * @param parent the parent task, or null for a root task
     * @param near a token of an earlier {@link #near} or switch, or null
     * @return the new task
     */
    public static Task newTask(String type, Task parent, Object near) {
        return Trace.newTask(state(near), type, parent);
    }

    /**
     * {@link Task#end(String)} with a {@link #near} token.
     *
     * @param task the task to end
     * @param outcome how it ended
     * @param near a token of an earlier {@link #near} or switch, or null
     */
    public static void end(Task task, String outcome, Object near) {
        task.end(outcome, ownState(near)); // null: end looks it up only if it records
    }

    /** The calling thread's state: {@code near} if it is that, else looked up. */
    private static ThreadState state(Object near) {
        ThreadState st = ownState(near);
        return st != null ? st : ThreadState.current();
    }

    /** The calling thread's state if {@code near} is its {@link #near} token or a switch token of it, else null. */
    private static ThreadState ownState(Object near) {
        ThreadState st = near instanceof ThreadState.Near ? ((ThreadState.Near) near).state
                : near instanceof ThreadState ? (ThreadState) near : null;
        return st != null && st.thread == Thread.currentThread() ? st : null;
    }

    /**
     * Undoes the matching {@link #switchTo}.
     *
     * @param token what {@link #switchTo} returned on this thread; anything else (a
     *        {@link #near} token) changes nothing
     */
    public static void switchBack(Object token) {
        if (token instanceof ThreadState) {
            ((ThreadState) token).pop();
        }
    }
}
