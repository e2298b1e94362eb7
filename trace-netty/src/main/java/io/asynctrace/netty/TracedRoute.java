package io.asynctrace.netty;

import static io.asynctrace.TaskThreadLocalAccessor.switchBack;
import static io.asynctrace.TaskThreadLocalAccessor.switchTo;

import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import io.asynctrace.Trace;
import io.netty.handler.codec.http.HttpMethod;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.util.context.Context;

/** A route handler whose requests are tasks; see {@link TracedHttp#route}. */
final class TracedRoute implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {
    /** The Reactor {@code Context} key of the {@link RequestTrace} of the request being handled. */
    static final String TRACE = "io.asynctrace.netty.request-trace";
    private static final String[] STATUS = new String[600];

    static {
        for (int i = 100; i < STATUS.length; i++) {
            STATUS[i] = Integer.toString(i);
        }
    }

    private final String route;
    private final String getType;
    private final BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler;

    TracedRoute(String route,
            BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        this.route = route;
        this.getType = "GET " + route;
        this.handler = handler;
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest req, HttpServerResponse res) {
        if (!Trace.isEnabled()) {
            Publisher<Void> p = handler.apply(req, res);
            // Not a Reactor type (reactor-netty's outbound): reactor-netty would wrap it (Mono.fromDirect)
            // and trace-reactor's assembly hook, if installed, put a hop operator after that wrapper.
            return p == null || p instanceof Mono || p instanceof Flux ? p : new UntracedMono(p);
        }
        HttpMethod method = req.method();
        // A root task: whatever task other code left current on the event loop is not its parent.
        Task task = Trace.newTask(HttpMethod.GET.equals(method) ? getType : method.name() + " " + route, null);
        task.attr("http.target", req.uri());
        String header = req.requestHeaders().get(TraceParent.HEADER);
        TraceParent parent = TraceParent.parse(header);
        RequestTrace trace;
        if (parent != null) {
            task.attr("trace.id", parent.traceId).attr("trace.parent_id", parent.parentId);
            trace = new RequestTrace(task, parent.traceId);
        } else {
            if (header != null) {
                task.attr("traceparent.invalid", header.length() > 100 ? header.substring(0, 100) : header);
            }
            trace = new RequestTrace(task, null); // a trace id is made if the handler calls out
        }
        Publisher<Void> p;
        Object token = switchTo(task); // the adapters' switch: no scope object, the event loop's task and span put back after
        try {
            p = handler.apply(req, res);
            if (p == null) {
                throw new NullPointerException("the handler of " + route + " returned null"); // reactor-netty answers 500
            }
        } catch (RuntimeException | Error e) {
            task.attr("error", e.getClass().getName());
            task.end(status(500)); // reactor-netty answers 500
            throw e;
        } finally {
            switchBack(token);
        }
        return new RequestMono(p, task, trace, res);
    }

    /**
     * The W3C trace of one request: the incoming trace id, or one made when the handler
     * first calls out through a traced client (and then recorded as the task's {@code trace.id}).
     */
    static final class RequestTrace {
        private final Task task;
        private String traceId;

        RequestTrace(Task task, String traceId) {
            this.task = task;
            this.traceId = traceId;
        }

        synchronized String traceId() {
            String id = traceId;
            if (id == null) {
                id = TraceParent.newTraceId();
                traceId = id;
                task.attr("trace.id", id);
            }
            return id;
        }
    }

    static String status(int code) {
        return code >= 100 && code < STATUS.length ? STATUS[code] : Integer.toString(code);
    }

    /**
     * The handler's publisher as the request's task: subscribed, requested and cancelled
     * with the task current (reactor-netty does that on the event loop, after the handler
     * function returned), with the task and the {@link RequestTrace} in its {@code Context},
     * and ending the task at its terminal signal (outcome: the status) or cancel.
     *
     * <p>It subscribes the handler's publisher itself rather than through {@code Mono.from}:
     * for reactor-netty's outbound that would assemble a Reactor wrapper per request, and
     * {@code ReactorTracing}'s hook a hop operator after it, whose only downstream is this
     * subscriber and reactor-netty, which run no user code (a {@code Void} publisher has no
     * values). reactor-netty takes this {@code Mono} as it is. It is {@code Scannable} (its
     * parent: the handler's publisher), so that {@code ReactorTracing}'s hook, which meets
     * it when Reactor's automatic propagation wraps it, puts no hop after it either.
     */
    private static final class RequestMono extends Mono<Void> implements Scannable {
        private final Publisher<Void> source;
        private final Task task;
        private final RequestTrace trace;
        private final HttpServerResponse res;

        RequestMono(Publisher<Void> source, Task task, RequestTrace trace, HttpServerResponse res) {
            this.source = source;
            this.task = task;
            this.trace = trace;
            this.res = res;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Void> actual) {
            Context context = actual.currentContext().put(TaskThreadLocalAccessor.KEY, task).put(TRACE, trace);
            Object token = switchTo(task);
            try {
                RequestSubscriber s = new RequestSubscriber(actual, task, res, context);
                try {
                    if (source instanceof Mono) { // a class, not an interface check (JDK-8180450: see trace-reactor's Hops)
                        ((Mono<Void>) source).subscribe(s);
                    } else {
                        source.subscribe(s);
                    }
                } catch (Throwable e) {
                    // A publisher that throws from subscribe (as Mono.from's wrapper did): the error
                    // goes down through the task's subscriber, which ends the task; reactor-netty answers 500.
                    Operators.reportThrowInSubscribe(s, e);
                }
            } finally {
                switchBack(token);
            }
        }

        @Override
        @SuppressWarnings("rawtypes") // the signature Reactor declares
        public Object scanUnsafe(Attr key) {
            return key == Attr.PARENT ? source : null;
        }
    }

    /**
     * While tracing is off, a handler's publisher of no Reactor type (reactor-netty's
     * outbound, met at every request), subscribed as reactor-netty's own wrapper
     * ({@code Mono.fromDirect}'s {@code MonoSource}) would: directly. reactor-netty takes a
     * {@code Mono} as it is, so no wrapper is assembled per request and no assembly hook
     * sees one: trace-reactor's would put a hop operator after it, whose downstream is only
     * reactor-netty's subscriber, its {@code Context} with no task. {@code Scannable} like
     * {@link RequestMono}, so that when Reactor's automatic propagation wraps it the hook
     * puts no hop after that wrapper either.
     */
    private static final class UntracedMono extends Mono<Void> implements Scannable {
        private final Publisher<Void> source;

        UntracedMono(Publisher<Void> source) {
            this.source = source;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Void> actual) {
            source.subscribe(actual);
        }

        @Override
        @SuppressWarnings("rawtypes") // the signature Reactor declares
        public Object scanUnsafe(Attr key) {
            return key == Attr.PARENT ? source : null;
        }
    }

    private static final class RequestSubscriber implements CoreSubscriber<Void>, Subscription {
        private final CoreSubscriber<? super Void> actual;
        private final Task task;
        private final HttpServerResponse res;
        private final Context context;
        private Subscription upstream;
        /** Whether a terminal signal came: later ones (a publisher breaking the spec) are dropped. Signals are serial. */
        private boolean done;
        /**
         * The thread handing this subscription to reactor-netty, until reactor-netty requests
         * from it: a cancel on that thread meanwhile is reactor-netty refusing the subscription.
         */
        private Thread offering;

        RequestSubscriber(CoreSubscriber<? super Void> actual, Task task, HttpServerResponse res, Context context) {
            this.actual = actual;
            this.task = task;
            this.res = res;
            this.context = context;
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) { // a second one is cancelled
                upstream = s;
                offering = Thread.currentThread();
                try {
                    actual.onSubscribe(this);
                } finally {
                    offering = null;
                }
            }
        }

        @Override
        public void onNext(Void value) {
            if (done) {
                Operators.onNextDropped(value, context);
                return;
            }
            actual.onNext(value);
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            task.end(status(res.status().code()));
            actual.onComplete();
        }

        @Override
        public void onError(Throwable e) {
            if (done) {
                Operators.onErrorDropped(e, context);
                return;
            }
            done = true;
            task.attr("error", e == null ? "null" : e.getClass().getName());
            // reactor-netty answers 500 unless the headers are already out
            task.end(status(res.hasSentHeaders() ? res.status().code() : 500));
            actual.onError(e);
        }

        @Override
        public void request(long n) {
            offering = null;
            Object token = switchTo(task);
            try {
                upstream.request(n);
            } finally {
                switchBack(token);
            }
        }

        /**
         * The client went away, or the server is disposing the connection; or reactor-netty
         * refuses the subscription because the response already went out: a body that is a
         * value at hand ({@code res.sendString(Mono.just(..))}) is written whole, and the
         * response ended, inside the publisher's {@code subscribe}, before its
         * {@code onSubscribe} reaches reactor-netty. The outcome is then the status sent.
         */
        @Override
        public void cancel() {
            boolean refused = offering == Thread.currentThread() && res.hasSentHeaders();
            task.end(refused ? status(res.status().code()) : "cancelled");
            Object token = switchTo(task);
            try {
                upstream.cancel();
            } finally {
                switchBack(token);
            }
        }
    }
}
