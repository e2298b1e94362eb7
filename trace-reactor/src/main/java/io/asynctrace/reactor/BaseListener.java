package io.asynctrace.reactor;

import reactor.core.observability.SignalListener;
import reactor.core.publisher.SignalType;

/**
 * A {@link SignalListener} that ignores every signal; subclasses override the few
 * they care about. None of the methods throws, so the tap operator never turns a
 * listener failure into an error of the application's sequence.
 *
 * @param <T> the element type
 */
class BaseListener<T> implements SignalListener<T> {
    /** Shared by every subscription made while tracing is off: no state, no recording. */
    static final BaseListener<Object> NOOP = new BaseListener<>();

    @SuppressWarnings("unchecked")
    static <T> SignalListener<T> noop() {
        return (SignalListener<T>) (SignalListener<?>) NOOP;
    }

    @Override
    public void doFirst() {
    }

    @Override
    public void doFinally(SignalType terminationType) {
    }

    @Override
    public void doOnSubscription() {
    }

    @Override
    public void doOnFusion(int negotiatedFusion) {
    }

    @Override
    public void doOnRequest(long requested) {
    }

    @Override
    public void doOnCancel() {
    }

    @Override
    public void doOnNext(T value) {
    }

    @Override
    public void doOnComplete() {
    }

    @Override
    public void doOnError(Throwable error) {
    }

    @Override
    public void doAfterComplete() {
    }

    @Override
    public void doAfterError(Throwable error) {
    }

    @Override
    public void doOnMalformedOnNext(T value) {
    }

    @Override
    public void doOnMalformedOnError(Throwable error) {
    }

    @Override
    public void doOnMalformedOnComplete() {
    }

    @Override
    public void handleListenerError(Throwable listenerError) {
        // Our listeners do not throw; a failure here is a bug in asynctrace, never the application's problem.
    }
}
