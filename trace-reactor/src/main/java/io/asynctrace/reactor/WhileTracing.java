package io.asynctrace.reactor;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;

/**
 * Chooses at each subscription between the instrumented pipeline (tracing on) and the
 * bare source (tracing off), so that while tracing is off {@code Trace.task} and
 * {@code Trace.span} add no subscriber and no allocation to a subscription: one
 * volatile read. Used in Reactor's default mode only; with automatic context
 * propagation on, Reactor would wrap this non-Reactor operator in a thread-local
 * restoring one, so {@link Instrument} returns the {@code tap} directly there.
 */
final class WhileTracing {
    private WhileTracing() {
    }

    /** The {@code Mono} flavour. */
    static final class OfMono<T> extends MonoOperator<T, T> {
        private final Mono<T> traced;

        OfMono(Mono<T> source, Mono<T> traced) {
            super(source);
            this.traced = traced;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            if (io.asynctrace.Trace.isEnabled()) {
                traced.subscribe(actual);
            } else {
                source.subscribe(actual);
            }
        }

        @Override
        @SuppressWarnings("rawtypes") // the signature Reactor declares
        public Object scanUnsafe(Attr key) {
            return key == Attr.RUN_STYLE ? Attr.RunStyle.SYNC : super.scanUnsafe(key);
        }
    }

    /** The {@code Flux} flavour. */
    static final class OfFlux<T> extends FluxOperator<T, T> {
        private final Flux<T> traced;

        OfFlux(Flux<T> source, Flux<T> traced) {
            super(source);
            this.traced = traced;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            if (io.asynctrace.Trace.isEnabled()) {
                traced.subscribe(actual);
            } else {
                source.subscribe(actual);
            }
        }

        @Override
        @SuppressWarnings("rawtypes") // the signature Reactor declares
        public Object scanUnsafe(Attr key) {
            return key == Attr.RUN_STYLE ? Attr.RunStyle.SYNC : super.scanUnsafe(key);
        }
    }
}
