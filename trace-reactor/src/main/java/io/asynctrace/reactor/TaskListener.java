package io.asynctrace.reactor;

import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import org.reactivestreams.Publisher;
import reactor.core.observability.SignalListener;
import reactor.core.observability.SignalListenerFactory;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * One task per subscription: created when the listener is created (at subscribe
 * time, on the subscribing thread), put in the upstream {@link Context}, ended by
 * the first terminal signal: complete ({@code "ok"}), a Mono's value ({@code "ok"}),
 * error (the exception's class name) or cancel ({@code "cancelled"}). Holds no
 * thread-local: the task travels in the Context only.
 *
 * @param <T> the element type
 */
final class TaskListener<T> extends BaseListener<T> {
    private final Task task;
    private final boolean mono;

    private TaskListener(Task task, boolean mono) {
        this.task = task;
        this.mono = mono;
    }

    @Override
    public Context addToContext(Context originalContext) {
        return originalContext.put(TaskThreadLocalAccessor.KEY, task);
    }

    @Override
    public void doOnNext(T value) {
        if (mono) {
            task.end();
        }
    }

    @Override
    public void doOnComplete() {
        task.end();
    }

    @Override
    public void doOnError(Throwable error) {
        task.end(error.getClass().getName());
    }

    @Override
    public void doOnCancel() {
        task.end("cancelled");
    }

    /** Makes a {@link TaskListener} per subscription, or the shared no-op listener while tracing is off. */
    static final class Factory<T> implements SignalListenerFactory<T, Void> {
        private final String type;
        private final boolean mono;

        Factory(String type, boolean mono) {
            this.type = type;
            this.mono = mono;
        }

        @Override
        public Void initializePublisherState(Publisher<? extends T> source) {
            return null;
        }

        @Override
        public SignalListener<T> createListener(Publisher<? extends T> source, ContextView listenerContext, Void state) {
            if (!io.asynctrace.Trace.isEnabled()) {
                return BaseListener.noop();
            }
            Task parent = Contexts.task(listenerContext);
            return new TaskListener<>(Contexts.newTask(type, parent), mono);
        }
    }
}
