package io.asynctrace.reactor;

import io.asynctrace.Span;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.util.context.Context;

/**
 * One subscription of {@link Trace#span}: a detached span from subscribe to the first
 * terminal signal (a {@code Mono}'s value, complete, error or cancel). Error and cancel
 * are recorded as the span attribute {@code outcome}. Cancel may race with a terminal
 * signal on another thread; {@link #DONE} lets exactly one of them end the span. It
 * changes no thread's current task: the signals pass through as they came.
 *
 * @param <T> the element type
 */
final class SpanSubscriber<T> implements CoreSubscriber<T>, Subscription, Scannable {
    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(SpanSubscriber.class, "done", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CoreSubscriber<? super T> actual;
    private final Span span;
    private final boolean mono;
    private Subscription upstream;
    @SuppressWarnings("unused") // accessed through DONE
    private volatile int done;

    SpanSubscriber(CoreSubscriber<? super T> actual, Span span, boolean mono) {
        this.actual = actual;
        this.span = span;
        this.mono = mono;
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        actual.onSubscribe(this);
    }

    @Override
    public void onNext(T value) {
        if (mono) {
            finish(null);
        }
        actual.onNext(value);
    }

    @Override
    public void onError(Throwable error) {
        finish(error.getClass().getName());
        actual.onError(error);
    }

    @Override
    public void onComplete() {
        finish(null);
        actual.onComplete();
    }

    @Override
    public void request(long n) {
        upstream.request(n);
    }

    @Override
    public void cancel() {
        finish("cancelled");
        upstream.cancel();
    }

    private void finish(String outcome) {
        if (DONE.compareAndSet(this, 0, 1)) {
            if (outcome != null) {
                span.attr("outcome", outcome);
            }
            span.end();
        }
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
}
