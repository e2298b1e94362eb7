package io.asynctrace.netty;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import io.asynctrace.Trace;
import io.netty.handler.codec.http.HttpMethod;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
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
            return handler.apply(req, res);
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
        try (Scope s = task.makeCurrent()) {
            p = handler.apply(req, res);
        } catch (RuntimeException | Error e) {
            task.attr("error", e.getClass().getName());
            task.end(status(500)); // reactor-netty answers 500
            throw e;
        }
        End end = new End(task, res);
        return Mono.from(p)
                .doOnEach(end)
                .doOnCancel(end)
                .contextWrite(Context.of(TaskThreadLocalAccessor.KEY, task, TRACE, trace));
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

    /** Ends the task at the handler's terminal signal (outcome: the status) or cancel. */
    private static final class End implements Consumer<Signal<Void>>, Runnable {
        private final Task task;
        private final HttpServerResponse res;

        End(Task task, HttpServerResponse res) {
            this.task = task;
            this.res = res;
        }

        @Override
        public void accept(Signal<Void> signal) {
            if (signal.isOnComplete()) {
                task.end(status(res.status().code()));
            } else if (signal.isOnError()) {
                Throwable e = signal.getThrowable();
                task.attr("error", e == null ? "null" : e.getClass().getName());
                // reactor-netty answers 500 unless the headers are already out
                task.end(status(res.hasSentHeaders() ? res.status().code() : 500));
            }
        }

        /** The client went away, or the server is disposing the connection. */
        @Override
        public void run() {
            task.end("cancelled");
        }
    }
}
