package io.asynctrace.reactor;

import io.asynctrace.Span;
import io.asynctrace.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.reactivestreams.Publisher;
import reactor.core.observability.SignalListener;
import reactor.core.observability.SignalListenerFactory;
import reactor.util.context.ContextView;

/**
 * One detached span per subscription, from subscribe to the first terminal signal
 * (a Mono's value, complete, error or cancel), under the task in the downstream
 * Context or else the subscribing thread's current task. Error and cancel are
 * recorded as the span attribute {@code outcome}. Cancel may race with a terminal
 * signal on another thread; {@link #DONE} lets exactly one of them end the span.
 *
 * @param <T> the element type
 */
final class SpanListener<T> extends BaseListener<T> {
    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(SpanListener.class, "done", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Span span;
    private final boolean mono;
    @SuppressWarnings("unused") // accessed through DONE
    private volatile int done;

    private SpanListener(Span span, boolean mono) {
        this.span = span;
        this.mono = mono;
    }

    @Override
    public void doOnNext(T value) {
        if (mono) {
            finish(null);
        }
    }

    @Override
    public void doOnComplete() {
        finish(null);
    }

    @Override
    public void doOnError(Throwable error) {
        finish(error.getClass().getName());
    }

    @Override
    public void doOnCancel() {
        finish("cancelled");
    }

    private void finish(String outcome) {
        if (DONE.compareAndSet(this, 0, 1)) {
            if (outcome != null) {
                span.attr("outcome", outcome);
            }
            span.end();
        }
    }

    /** Makes a {@link SpanListener} per subscription, or the shared no-op listener when there is nothing to record. */
    static final class Factory<T> implements SignalListenerFactory<T, Void> {
        private final String name;
        private final boolean mono;

        Factory(String name, boolean mono) {
            this.name = name;
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
            Task task = Contexts.taskOrCurrent(listenerContext);
            Span span = task != null ? task.startSpan(name) : io.asynctrace.Trace.startDetachedSpan(name);
            return new SpanListener<>(span, mono);
        }
    }
}
