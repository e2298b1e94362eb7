package io.asynctrace.reactor;

import static io.asynctrace.TaskThreadLocalAccessor.switchBack;
import static io.asynctrace.TaskThreadLocalAccessor.switchTo;

import io.asynctrace.Task;
import java.util.Set;
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
 *     {@code Flux.create}, non-Reactor publishers ({@code Flux.from}); not the sources
 *     whose signals come from a Reactor {@code Scheduler} ({@code Mono.delay},
 *     {@code Flux.interval}, {@code publishOn} or {@code subscribeOn} of a value), which
 *     {@link JobHook} covers;</li>
 * <li>operators whose source skipped assembly, such as reactor-netty's connection and
 *     inbound publishers, and sinks and processors ({@code Sinks.one().asMono()}): the
 *     operator right after them;</li>
 * <li>operators that share a source: {@code cache}, {@code share}, {@code refCount},
 *     {@code autoConnect}, whose signals come from whichever subscriber's thread and
 *     task drove the source;</li>
 * <li>{@code Mono.flatMapMany}: its inner {@code Flux}, chosen at run time, may be a
 *     source that skips assembly, such as reactor-netty's inbound data in the client's
 *     {@code responseContent()} ({@code connect().flatMapMany(ChannelOperations::receiveObject)});
 *     a hop before it, on the connection, does not cover that inner's signals.</li>
 * </ul>
 *
 * Every other operator is returned as it is: no wrapper, no cost at subscription or
 * signal time. A marked publisher gets a {@link Hop} operator after it; at subscribe
 * time, a subscription made while tracing is off or without a task in its
 * {@code Context} goes straight through (one volatile read); otherwise a
 * {@link Hop.HopSubscriber} checks each signal and switches the thread's current task
 * only when it differs. It passes the upstream subscription (and so fusion) through.
 *
 * <p><b>Cost at assembly.</b> The hook runs for every operator of every pipeline, also
 * while tracing is off, so it decides from the publisher's class wherever it can (one
 * {@link ClassValue} lookup, no type check against an interface): Reactor's operators
 * ({@code MonoOperator} and {@code FluxOperator} subclasses, most of them) cost that
 * lookup, a virtual {@code scanUnsafe(PARENT)} and the parent's lookup; Reactor's
 * sources are scanned once per class and then known. Interface type checks are what it
 * avoids: on Java 17 to 22 each one that misses the class's one-entry secondary-supers
 * cache rewrites it, and Reactor's own {@code instanceof Fuseable}/{@code Callable}
 * checks on the same classes then miss in turn, a cache line that two event loops
 * bounce between them (JDK-8180450).
 */
final class Hops implements Function<Publisher<Object>, Publisher<Object>> {
    static final Hops INSTANCE = new Hops();

    /** What the hook does with a publisher, decided once per class. */
    private enum Kind {
        /** Not a {@code Mono} or {@code Flux} the hook marks ({@code ConnectableFlux}, {@code ParallelFlux}, other publishers). */
        OTHER,
        /** asynctrace's {@link Hop}: the mark itself. */
        MARK,
        /** A source whose signals a Reactor {@code Scheduler} delivers: {@link JobHook} covers it. */
        SCHEDULED,
        /**
         * Always marked: a {@code Mono}/{@code Flux} that is not {@code Scannable}, a sink, processor or sharing
         * operator, or a {@code Mono.flatMapMany}, whose inner {@code Flux} may be a source that skips assembly.
         */
        ALWAYS,
        /** A {@code MonoOperator} subclass: looked at through its parent. */
        MONO_OPERATOR,
        /** A {@code FluxOperator} subclass: looked at through its parent. */
        FLUX_OPERATOR,
        /** Any other {@code Scannable} {@code Mono}/{@code Flux}: a source, or an operator of another shape. */
        SCANNABLE
    }

    /**
     * A class's {@link Kind}, and for Reactor's own {@link Kind#SCANNABLE} classes what
     * their instances turned out to be: Reactor's sources are sources (no parent) and
     * synchronous or not by class, so the first instance tells for all.
     */
    private static final class Shape {
        static final int UNKNOWN = 0;
        static final int SYNC_SOURCE = 1;
        static final int ASYNC_SOURCE = 2;
        static final int PER_INSTANCE = 3;

        final Kind kind;
        final boolean reactors;
        /** Whether the class is a {@code Publisher} / {@code Scannable}: asked of parents of any class, never by {@code instanceof}. */
        final boolean publisher;
        final boolean scannable;
        /**
         * One of the constants above; a benign race: every thread learns the same value.
         * Written once per class, never again: every assembly reads this object.
         */
        int learnt;

        Shape(Kind kind, boolean reactors, boolean publisher, boolean scannable) {
            this.kind = kind;
            this.reactors = reactors;
            this.publisher = publisher;
            this.scannable = scannable;
        }
    }

    /** Reactor's sources that emit from a {@code Scheduler}'s worker: {@code Mono.delay}, {@code Flux.interval}, {@code publishOn} and {@code subscribeOn} of a value. */
    private static final Set<String> SCHEDULED_SOURCES = Set.of("MonoDelay", "FluxInterval",
            "MonoSubscribeOnValue", "MonoSubscribeOnCallable", "FluxSubscribeOnValue", "FluxSubscribeOnCallable");

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            boolean reactors = type.getName().startsWith("reactor.core.publisher.");
            return new Shape(kind(type, reactors), reactors, Publisher.class.isAssignableFrom(type),
                    Scannable.class.isAssignableFrom(type));
        }
    };

    private Hops() {
    }

    private static Kind kind(Class<?> type, boolean reactors) {
        if (Hop.class.isAssignableFrom(type)) {
            return Kind.MARK;
        }
        if (!(Mono.class.isAssignableFrom(type) || Flux.class.isAssignableFrom(type))
                || ConnectableFlux.class.isAssignableFrom(type)) {
            return Kind.OTHER; // a ConnectableFlux keeps its type: the operator after it is looked at instead
        }
        if (!Scannable.class.isAssignableFrom(type)) {
            return Kind.ALWAYS;
        }
        String n = type.getSimpleName();
        if (reactors) {
            if (n.startsWith("Sink") || n.endsWith("Processor") || n.startsWith("MonoCache")
                    || n.startsWith("FluxRefCount") || n.startsWith("FluxAutoConnect")
                    || n.equals("MonoFlatMapMany")) {
                return Kind.ALWAYS;
            }
            if (SCHEDULED_SOURCES.contains(n)) {
                return Kind.SCHEDULED;
            }
        }
        if (MonoOperator.class.isAssignableFrom(type)) {
            return Kind.MONO_OPERATOR;
        }
        if (FluxOperator.class.isAssignableFrom(type)) {
            return Kind.FLUX_OPERATOR;
        }
        return Kind.SCANNABLE;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"}) // Reactor's hook signature; a Mono stays a Mono, a Flux a Flux
    public Publisher<Object> apply(Publisher<Object> p) {
        Shape shape = SHAPES.get(p.getClass());
        boolean hop;
        switch (shape.kind) {
            case ALWAYS:
                hop = true;
                break;
            case MONO_OPERATOR:
                hop = afterSource(((MonoOperator) p).scanUnsafe(Scannable.Attr.PARENT));
                break;
            case FLUX_OPERATOR:
                hop = afterSource(((FluxOperator) p).scanUnsafe(Scannable.Attr.PARENT));
                break;
            case SCANNABLE:
                hop = scannable(p, shape);
                break;
            default: // OTHER, MARK, SCHEDULED
                return p;
        }
        if (!hop) {
            return p;
        }
        return p instanceof Mono ? new Hop.OfMono<>((Mono<Object>) p) : new Hop.OfFlux<>((Flux<Object>) p);
    }

    /** A Reactor source is known by its class once one instance was seen; anything else is scanned. */
    private static boolean scannable(Publisher<?> p, Shape shape) {
        int learnt = shape.learnt;
        if (learnt == Shape.SYNC_SOURCE || learnt == Shape.ASYNC_SOURCE) {
            return learnt == Shape.ASYNC_SOURCE;
        }
        Scannable s = (Scannable) p;
        Object parent = s.scanUnsafe(Scannable.Attr.PARENT);
        if (parent == null) {
            boolean async = isAsync(s);
            if (shape.reactors && learnt == Shape.UNKNOWN) {
                shape.learnt = async ? Shape.ASYNC_SOURCE : Shape.SYNC_SOURCE;
            }
            return async;
        }
        if (shape.reactors && learnt != Shape.PER_INSTANCE) {
            shape.learnt = Shape.PER_INSTANCE; // once: a write at every assembly would bounce the line between cores
        }
        return afterSource(parent);
    }

    /**
     * Whether the operator whose parent is {@code parent} needs a hop: a source assembled
     * through Reactor's hooks already has its {@link Hop} (or needs none), one that
     * skipped them has not.
     */
    private static boolean afterSource(Object parent) {
        if (parent == null) {
            return false; // an operator that does not say where it reads from: nothing to look at
        }
        Shape shape = SHAPES.get(parent.getClass());
        switch (shape.kind) {
            case MARK:
            case SCHEDULED:
            case MONO_OPERATOR:
            case FLUX_OPERATOR:
                return false; // marked already, covered by the scheduler hook, or not a source
            case ALWAYS:
                return !shape.scannable || ((Scannable) parent).scanUnsafe(Scannable.Attr.PARENT) == null;
            case SCANNABLE:
                if (shape.learnt == Shape.SYNC_SOURCE || shape.learnt == Shape.ASYNC_SOURCE) {
                    return shape.learnt == Shape.ASYNC_SOURCE;
                }
                Scannable s = (Scannable) parent;
                return s.scanUnsafe(Scannable.Attr.PARENT) == null && isAsync(s);
            default: // OTHER: a publisher that is no Mono or Flux (a ConnectableFlux, a foreign one), or no publisher
                if (!shape.publisher) {
                    return false;
                }
                if (!shape.scannable) {
                    return true; // a foreign source, such as reactor-netty's outbound: met at every request
                }
                Scannable s2 = (Scannable) parent;
                return s2.scanUnsafe(Scannable.Attr.PARENT) == null && isAsync(s2);
        }
    }

    private static boolean isAsync(Scannable s) {
        return s.scan(Scannable.Attr.RUN_STYLE) != Scannable.Attr.RunStyle.SYNC;
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
                return Hop.scan(source, key, super.scanUnsafe(key));
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
                return Hop.scan(source, key, super.scanUnsafe(key));
            }
        }

        /** A hop runs the way its source does; otherwise it answers like every asynctrace operator. */
        @SuppressWarnings("rawtypes") // Scannable.Attr is generic
        static Object scan(Publisher<?> source, Scannable.Attr key, Object otherwise) {
            return key == Scannable.Attr.RUN_STYLE ? Scannable.from(source).scanUnsafe(key) : Traced.scan(key, otherwise);
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
                Object token = switchTo(task);
                try {
                    actual.onSubscribe(s); // the source's own subscription: request, cancel and fusion go straight to it
                } finally {
                    switchBack(token);
                }
            }

            @Override
            public void onNext(T value) {
                Object token = switchTo(task);
                try {
                    actual.onNext(value);
                } finally {
                    switchBack(token);
                }
            }

            @Override
            public void onError(Throwable error) {
                Object token = switchTo(task);
                try {
                    actual.onError(error);
                } finally {
                    switchBack(token);
                }
            }

            @Override
            public void onComplete() {
                Object token = switchTo(task);
                try {
                    actual.onComplete();
                } finally {
                    switchBack(token);
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
