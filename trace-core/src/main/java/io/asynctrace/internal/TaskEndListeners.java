package io.asynctrace.internal;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/** The registered {@link TaskEndListener}s: copy on write, read with one volatile load. */
public final class TaskEndListeners {
    private static final TaskEndListener[] NONE = new TaskEndListener[0];
    private static volatile TaskEndListener[] listeners = NONE;
    private static final AtomicLong FAILURES = new AtomicLong();

    private TaskEndListeners() {
    }

    /**
     * @param listener told of every task that ends while recording, from now on
     */
    public static synchronized void add(TaskEndListener listener) {
        Objects.requireNonNull(listener, "listener");
        TaskEndListener[] now = listeners;
        TaskEndListener[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = listener;
        listeners = next;
    }

    /**
     * @param listener a listener added before; no longer told of anything once this returns
     *                 (a call in progress on another thread may still finish)
     */
    public static synchronized void remove(TaskEndListener listener) {
        TaskEndListener[] now = listeners;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == listener) {
                TaskEndListener[] next = new TaskEndListener[now.length - 1];
                System.arraycopy(now, 0, next, 0, i);
                System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                listeners = next;
                return;
            }
        }
    }

    /** @return the listeners now; an empty array when none (do not modify) */
    public static TaskEndListener[] current() {
        return listeners;
    }

    /** @return how many listener calls have thrown (each caught in {@code Task.end}) since the JVM started */
    public static long failures() {
        return FAILURES.get();
    }

    /** Counts one listener call that threw; called by {@code Task.end}. */
    public static void failed() {
        FAILURES.incrementAndGet();
    }
}
