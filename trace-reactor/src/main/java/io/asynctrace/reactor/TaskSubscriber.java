package io.asynctrace.reactor;

import static io.asynctrace.TaskThreadLocalAccessor.switchBack;
import static io.asynctrace.TaskThreadLocalAccessor.switchTo;

import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.util.context.Context;

/**
 * One subscription of {@link Trace#task}: the boundary between the task and the code
 * around it. Upstream of it (subscribe, request, cancel) the task is current;
 * downstream of it (every signal it passes on) the outer task is: the one in the
 * downstream {@code Context}, else the subscribing thread's task, else none. Each
 * switch is a {@code TaskThreadLocalAccessor.switchTo} that writes only when the thread has another
 * task current. The task is ended by the first of: complete or a {@code Mono}'s value
 * ({@code "ok"}), error (the exception's class name), cancel ({@code "cancelled"});
 * {@link Task#end} lets exactly one of racing signals count.
 *
 * <p>Cost: the {@code Context} with the task is made when first asked for (a
 * {@code publishOn}, a hop, user code reading it), not per subscription; the switches
 * made inside the subscribing thread's {@code subscribe} call (request, and the signals of
 * a synchronous source) reuse its state (see {@code TaskThreadLocalAccessor.switchTo(Task, Object)})
 * instead of a thread-local lookup each.
 *
 * @param <T> the element type
 */
final class TaskSubscriber<T> implements CoreSubscriber<T>, Subscription, Scannable {
    private final CoreSubscriber<? super T> actual;
    private final Task task;
    private final Task outer;
    private final boolean mono;
    /**
     * The downstream {@code Context} with the task, made at the first {@link #currentContext}.
     * Volatile: a {@code ContextN} (five entries or more) is a map with plain fields, which a
     * racy read could see half made; threads that race to make it make equal ones.
     */
    private volatile Context context;
    /**
     * The subscribing thread's switch token while its {@code source.subscribe} call runs (where a
     * synchronous source's signals come), then null: the hint never outlives that call, so it
     * cannot point at a thread state the thread has since been given anew, nor keep it alive.
     * Plain: another thread that reads it stale fails the token's thread check and looks its state up.
     */
    Object near;
    private Subscription upstream;
    /** Whether a Mono's value ended the task already; signals are serial, so a plain field. */
    private boolean valued;

    TaskSubscriber(CoreSubscriber<? super T> actual, Task task, Task outer, boolean mono) {
        this.actual = actual;
        this.task = task;
        this.outer = outer;
        this.mono = mono;
    }

    @Override
    public Context currentContext() {
        Context c = context;
        if (c == null) {
            c = actual.currentContext().put(TaskThreadLocalAccessor.KEY, task);
            context = c;
        }
        return c;
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        Object token = switchTo(outer, near);
        try {
            actual.onSubscribe(this);
        } finally {
            switchBack(token);
        }
    }

    @Override
    public void onNext(T value) {
        Object here = here();
        if (mono) {
            valued = true;
            TaskThreadLocalAccessor.end(task, "ok", here);
        }
        Object token = switchTo(outer, here);
        try {
            actual.onNext(value);
        } finally {
            switchBack(token);
        }
    }

    @Override
    public void onError(Throwable error) {
        Object here = here();
        TaskThreadLocalAccessor.end(task, error.getClass().getName(), here);
        Object token = switchTo(outer, here);
        try {
            actual.onError(error);
        } finally {
            switchBack(token);
        }
    }

    @Override
    public void onComplete() {
        Object here = here();
        if (!valued) {
            TaskThreadLocalAccessor.end(task, "ok", here);
        }
        Object token = switchTo(outer, here);
        try {
            actual.onComplete();
        } finally {
            switchBack(token);
        }
    }

    @Override
    public void request(long n) {
        Object token = switchTo(task, near);
        try {
            upstream.request(n);
        } finally {
            switchBack(token);
        }
    }

    @Override
    public void cancel() {
        Object here = here();
        TaskThreadLocalAccessor.end(task, "cancelled", here);
        Object token = switchTo(task, here);
        try {
            upstream.cancel();
        } finally {
            switchBack(token);
        }
    }

    /**
     * The token for a signal that ends the task and switches: {@link #near}, or (outside the
     * subscribing call) the calling thread's, so that the two share one lookup. A stale
     * {@link #near} read on another thread only costs each of them its lookup.
     */
    private Object here() {
        Object n = near;
        return n != null ? n : TaskThreadLocalAccessor.near();
    }

    @Override
    @SuppressWarnings("rawtypes") // the signature Reactor declares
    public Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return upstream;
        }
        if (key == Attr.ACTUAL) {
            return actual;
        }
        return Traced.scan(key, null);
    }

    @Override
    public String toString() {
        return "Trace.task(" + task.type() + ")";
    }
}
