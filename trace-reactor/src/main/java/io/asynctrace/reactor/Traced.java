package io.asynctrace.reactor;

import static io.asynctrace.TaskThreadLocalAccessor.switchBack;
import static io.asynctrace.TaskThreadLocalAccessor.switchTo;

import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import reactor.core.CorePublisher;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.util.context.Context;

/**
 * The operators behind {@link Trace#task} and {@link Trace#span}, one per publisher
 * type. Each subscription decides for itself: while tracing is off it subscribes the
 * downstream subscriber to the source directly (one volatile read, no subscriber, no
 * allocation); while on, it puts a {@link TaskSubscriber} or {@link SpanSubscriber}
 * in between. So a pipeline assembled before {@code Trace.start} is traced when it
 * is subscribed after it.
 */
final class Traced {
    /** The class of Reactor's package-private {@code InternalProducerAttr} key, or null if it cannot be found. */
    private static final Class<?> INTERNAL_PRODUCER_ATTR = internalProducerAttr();

    private Traced() {
    }

    /** The {@code Mono} flavour. */
    static final class OfMono<T> extends MonoOperator<T, T> {
        private final String name;
        private final boolean task;

        OfMono(Mono<T> source, String name, boolean task) {
            super(source);
            this.name = name;
            this.task = task;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            Traced.subscribe(source, actual, name, task, true);
        }

        @Override
        @SuppressWarnings("rawtypes") // the signature Reactor declares
        public Object scanUnsafe(Attr key) {
            return Traced.scan(key, super.scanUnsafe(key));
        }
    }

    /** The {@code Flux} flavour. */
    static final class OfFlux<T> extends FluxOperator<T, T> {
        private final String name;
        private final boolean task;

        OfFlux(Flux<T> source, String name, boolean task) {
            super(source);
            this.name = name;
            this.task = task;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            Traced.subscribe(source, actual, name, task, false);
        }

        @Override
        @SuppressWarnings("rawtypes") // the signature Reactor declares
        public Object scanUnsafe(Attr key) {
            return Traced.scan(key, super.scanUnsafe(key));
        }
    }

    /** The one body of both flavours' {@code subscribe}. */
    private static <T> void subscribe(CorePublisher<? extends T> source, CoreSubscriber<? super T> actual, String name,
            boolean isTask, boolean mono) {
        if (!io.asynctrace.Trace.isEnabled()) {
            source.subscribe(actual);
            return;
        }
        Context context = actual.currentContext();
        if (isTask) {
            // One thread-state lookup for the outer task, the new task and the switch to it.
            Object near = TaskThreadLocalAccessor.near();
            Task outer = Contexts.task(context);
            if (outer == null) {
                outer = TaskThreadLocalAccessor.currentTask(near);
            }
            Task task = TaskThreadLocalAccessor.newTask(name, outer, near);
            TaskSubscriber<T> s = new TaskSubscriber<>(actual, task, outer, mono);
            // Synchronous sources and the operators between them and here run inside subscribe
            // and request: the task is current there (see TaskSubscriber for the signals).
            Object token = switchTo(task, near);
            s.near = near;
            try {
                source.subscribe(s);
            } finally {
                s.near = null;
                switchBack(token);
            }
        } else {
            Task outer = Contexts.taskOrCurrent(context);
            Span span = outer != null ? outer.startSpan(name) : io.asynctrace.Trace.startDetachedSpan(name);
            source.subscribe(new SpanSubscriber<>(actual, span, mono));
        }
    }

    /**
     * Scan attributes every asynctrace operator and subscriber answers: it runs on the
     * thread that calls it ({@code RUN_STYLE} SYNC), and it is an internal producer, so
     * that with automatic context propagation on (turned on by another library) Reactor
     * does not add its own thread-local restoring subscriber around it: the hop it
     * would guard is not one.
     */
    @SuppressWarnings("rawtypes") // Scannable.Attr is generic
    static Object scan(Scannable.Attr key, Object otherwise) {
        if (key == Scannable.Attr.RUN_STYLE) {
            return Scannable.Attr.RunStyle.SYNC;
        }
        if (INTERNAL_PRODUCER_ATTR != null && key.getClass() == INTERNAL_PRODUCER_ATTR) {
            return Boolean.TRUE;
        }
        return otherwise;
    }

    private static Class<?> internalProducerAttr() {
        try {
            return Class.forName("reactor.core.publisher.InternalProducerAttr", false, Flux.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null; // another Reactor version: it may wrap our operators in automatic mode, which stays correct
        }
    }
}
