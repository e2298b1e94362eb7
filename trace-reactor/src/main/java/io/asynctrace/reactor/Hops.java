package io.asynctrace.reactor;

import io.asynctrace.Task;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.ConnectableFlux;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.core.publisher.ParallelFlux;
import reactor.util.context.Context;

/**
 * The {@code Hooks.onEachOperator} hook installed by {@link ReactorTracing}: marks the
 * places, at assembly time, where a signal can arrive on a thread that is not the one
 * that subscribed or requested, and that no scheduler hop covers (see {@link JobHook}
 * for those): sources that emit when something else happens, and operators that share
 * one upstream among many subscribers.
 *
 * <ul>
 * <li>asynchronous sources, whose {@code RUN_STYLE} is not {@code SYNC}:
 *     {@code Mono.fromFuture} (a future completed by any pool), {@code Mono.create},
 *     {@code Flux.create}, {@code Mono.delay}, {@code Flux.interval}, non-Reactor
 *     publishers ({@code Flux.from});</li>
 * <li>operators whose source skipped assembly, such as reactor-netty's connection and
 *     inbound publishers, and sinks and processors ({@code Sinks.one().asMono()}): the
 *     operator right after them;</li>
 * <li>operators that share a source: {@code cache}, {@code share}, {@code refCount},
 *     {@code autoConnect}, whose signals come from whichever subscriber's thread and
 *     task drove the source.</li>
 * </ul>
 *
 * Every other operator is returned as it is: no wrapper, no cost at subscription or
 * signal time. A marked publisher gets a {@link Hop} operator after it; at subscribe
 * time, a subscription made while tracing is off or without a task in its
 * {@code Context} goes straight through (one volatile read); otherwise a
 * {@link Hop.HopSubscriber} checks each signal and switches the thread's current task
 * only when it differs. It passes the upstream subscription (and so fusion) through.
 */
final class Hops implements Function<Publisher<Object>, Publisher<Object>> {
    static final Hops INSTANCE = new Hops();

    /** Sources and sharing operators known by class: sinks, processors, caches and connectors. */
    private static final ClassValue<Boolean> SHARED = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (!type.getName().startsWith("reactor.core.publisher.")) {
                return false;
            }
            String n = type.getSimpleName();
            return n.startsWith("Sink") || n.endsWith("Processor") || n.startsWith("MonoCache")
                    || n.startsWith("FluxRefCount") || n.startsWith("FluxAutoConnect");
        }
    };

    private Hops() {
    }

    @Override
    public Publisher<Object> apply(Publisher<Object> p) {
        if (p instanceof ConnectableFlux || p instanceof ParallelFlux || p instanceof Hop) {
            return p; // their assembly keeps its type; the operator after a ConnectableFlux is marked instead
        }
        if (!(p instanceof Mono) && !(p instanceof Flux)) {
            return p;
        }
        if (needsHop(p)) {
            return p instanceof Mono ? new Hop.OfMono<>((Mono<Object>) p) : new Hop.OfFlux<>((Flux<Object>) p);
        }
        return p;
    }

    private static boolean needsHop(Publisher<?> p) {
        if (!(p instanceof Scannable)) {
            return true;
        }
        if (SHARED.get(p.getClass())) {
            return true;
        }
        Object parent = ((Scannable) p).scanUnsafe(Scannable.Attr.PARENT);
        if (parent == null) {
            return isAsyncSource(p);
        }
        // A source assembled through Reactor's hooks already has its Hop; one that skipped them has not.
        return parent instanceof Publisher && !(parent instanceof Hop) && isSource(parent)
                && (isAsyncSource(parent) || SHARED.get(parent.getClass()));
    }

    private static boolean isSource(Object p) {
        return !(p instanceof Scannable) || ((Scannable) p).scanUnsafe(Scannable.Attr.PARENT) == null;
    }

    private static boolean isAsyncSource(Object p) {
        return !(p instanceof Scannable)
                || ((Scannable) p).scan(Scannable.Attr.RUN_STYLE) != Scannable.Attr.RunStyle.SYNC;
    }

    /** The operator after a marked publisher. */
    interface Hop {
        /** The {@code Mono} flavour. */
        final class OfMono<T> extends MonoOperator<T, T> implements Hop {
            OfMono(Mono<T> source) {
                super(source);
            }

            @Override
            public void subscribe(CoreSubscriber<? super T> actual) {
                source.subscribe(Hop.subscriber(actual));
            }

            @Override
            @SuppressWarnings("rawtypes") // the signature Reactor declares
            public Object scanUnsafe(Attr key) {
                return key == Attr.RUN_STYLE ? Scannable.from(source).scanUnsafe(key) : Traced.scan(key, super.scanUnsafe(key));
            }
        }

        /** The {@code Flux} flavour. */
        final class OfFlux<T> extends FluxOperator<T, T> implements Hop {
            OfFlux(Flux<T> source) {
                super(source);
            }

            @Override
            public void subscribe(CoreSubscriber<? super T> actual) {
                source.subscribe(Hop.subscriber(actual));
            }

            @Override
            @SuppressWarnings("rawtypes") // the signature Reactor declares
            public Object scanUnsafe(Attr key) {
                return key == Attr.RUN_STYLE ? Scannable.from(source).scanUnsafe(key) : Traced.scan(key, super.scanUnsafe(key));
            }
        }

        /** @return {@code actual} itself while tracing is off or outside tasks, else a {@link HopSubscriber} */
        static <T> CoreSubscriber<? super T> subscriber(CoreSubscriber<? super T> actual) {
            if (!io.asynctrace.Trace.isEnabled()) {
                return actual;
            }
            Task task = Contexts.task(actual.currentContext());
            return task == null ? actual : new HopSubscriber<>(actual, task);
        }

        /** Makes the task of the downstream {@code Context} current around each signal that arrives without it. */
        final class HopSubscriber<T> implements CoreSubscriber<T>, Scannable {
            private final CoreSubscriber<? super T> actual;
            private final Task task;
            private Subscription upstream;

            HopSubscriber(CoreSubscriber<? super T> actual, Task task) {
                this.actual = actual;
                this.task = task;
            }

            @Override
            public Context currentContext() {
                return actual.currentContext();
            }

            @Override
            public void onSubscribe(Subscription s) {
                upstream = s;
                Object token = Propagation.enter(task);
                try {
                    actual.onSubscribe(s); // the source's own subscription: request, cancel and fusion go straight to it
                } finally {
                    Propagation.exit(token);
                }
            }

            @Override
            public void onNext(T value) {
                Object token = Propagation.enter(task);
                try {
                    actual.onNext(value);
                } finally {
                    Propagation.exit(token);
                }
            }

            @Override
            public void onError(Throwable error) {
                Object token = Propagation.enter(task);
                try {
                    actual.onError(error);
                } finally {
                    Propagation.exit(token);
                }
            }

            @Override
            public void onComplete() {
                Object token = Propagation.enter(task);
                try {
                    actual.onComplete();
                } finally {
                    Propagation.exit(token);
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
    }
}
