package io.asynctrace.reactor;

import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;

/**
 * Switching the calling thread's current task at a hop, and back: asynctrace's own
 * propagation, in place of Reactor's automatic mode.
 *
 * <pre>{@code
 * Object token = Propagation.enter(task);   // a plain field write, only if task is not current already
 * try {
 *     actual.onNext(value);
 * } finally {
 *     Propagation.exit(token);              // puts back the previous task and span
 * }
 * }</pre>
 *
 * <p><b>Assumptions and guarantees.</b> {@link #enter} and {@link #exit} are called in
 * pairs on one thread, strictly nested (try/finally). {@code enter} reads the thread's
 * current task and, when it is {@code task} already (the signal did not hop), changes
 * nothing and returns {@link #SAME}. Otherwise it makes {@code task} current with a
 * fresh span nesting (trace-core's {@link TaskThreadLocalAccessor#setValue(Task)}, which
 * saves the thread's span) and returns the previous task; {@code exit} then restores
 * that task and span, so a pooled thread keeps no task after the signal. Nothing is
 * allocated; nothing throws.
 */
final class Propagation {
    /** The token of an {@link #enter} that changed nothing. */
    static final Object SAME = new Object();
    private static final TaskThreadLocalAccessor ACCESSOR = new TaskThreadLocalAccessor();

    private Propagation() {
    }

    /**
     * Makes {@code task} (possibly null: no task) current unless it is already.
     *
     * @return the token for {@link #exit}
     */
    static Object enter(Task task) {
        Task previous = ACCESSOR.getValue();
        if (previous == task) {
            return SAME;
        }
        ACCESSOR.setValue(task);
        return previous;
    }

    /** Undoes the matching {@link #enter}. */
    static void exit(Object token) {
        if (token != SAME) {
            ACCESSOR.restore((Task) token);
        }
    }

    /**
     * The task of the subscriber a piece of scheduled work delivers to: the
     * {@code Runnable} of {@code publishOn}, {@code subscribeOn}, {@code Mono.delay},
     * {@code timeout} and {@code Flux.interval} is (or scans to) that subscriber.
     *
     * @return the task in its {@code Context}, or null if it has none or is not a subscriber
     */
    static Task taskOf(Runnable work) {
        try {
            Object subscriber = work;
            if (!(work instanceof CoreSubscriber) && work instanceof Scannable) {
                subscriber = ((Scannable) work).scanUnsafe(Scannable.Attr.ACTUAL);
            }
            return subscriber instanceof CoreSubscriber
                    ? Contexts.task(((CoreSubscriber<?>) subscriber).currentContext())
                    : null;
        } catch (RuntimeException e) {
            return null; // a foreign Scannable that fails to scan: fall back to the scheduling thread's task
        }
    }
}
