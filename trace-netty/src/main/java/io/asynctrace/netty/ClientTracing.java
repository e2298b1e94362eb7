package io.asynctrace.netty;

import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import io.asynctrace.Trace;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.util.context.ContextView;

/**
 * The callbacks of {@link TracedHttp#client}: static methods, so the client holds no
 * per-request lambdas. The open span of a request is kept on its channel as a
 * {@link Call} (one request at a time per HTTP/1.1 connection or HTTP/2 stream).
 *
 * <p><b>Assumptions and guarantees.</b> A call belongs to one exchange: reactor-netty's
 * per-request operations object, which is both the {@code HttpClientRequest} and the
 * {@code HttpClientResponse} of the callbacks and the {@code Connection} its state
 * changes report. A call is ended by exactly one of: the response headers
 * ({@code http.status}), a redirect (its 3xx), an error ({@code error}: reactor-netty
 * reports a connection the server closed before answering, or a failed write, as an
 * uncaught exception of the exchange, before the connection's disconnection), or the
 * exchange released or disconnected before any of those (the request was cancelled:
 * a timeout, {@code take}, a disposed subscriber; {@code outcome = cancelled}). Every
 * path removes the call from the channel only if it is still the one there
 * ({@code compareAndSet}), and ends it only if it is its own exchange's, and
 * {@link Call#finish} lets only the first end count. So the release of one exchange,
 * which reactor-netty reports after the pool may already have handed the connection
 * to the next request, can never end or remove that next request's span.
 */
final class ClientTracing {
    static final AttributeKey<Call> CALL = AttributeKey.valueOf("io.asynctrace.netty.client-call");
    /** The connection observer of a traced client: state changes and the exchange's uncaught errors. */
    static final ConnectionObserver OBSERVER = new ConnectionObserver() {
        @Override
        public void onStateChange(Connection connection, State newState) {
            onState(connection, newState);
        }

        @Override
        public void onUncaughtException(Connection connection, Throwable error) {
            onUncaught(connection, error);
        }
    };

    private ClientTracing() {
    }

    /** One traced request: its span and the exchange it belongs to. */
    static final class Call {
        private static final VarHandle DONE;

        static {
            try {
                DONE = MethodHandles.lookup().findVarHandle(Call.class, "done", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Object exchange;
        final Span span;
        @SuppressWarnings("unused") // accessed through DONE
        private volatile int done;

        Call(Object exchange, Span span) {
            this.exchange = exchange;
            this.span = span;
        }

        /** @return the span, to end, for the first caller only; null after that */
        Span finish() {
            return DONE.compareAndSet(this, 0, 1) ? span : null;
        }
    }

    static void onRequest(HttpClientRequest req, Connection conn) {
        if (!Trace.isEnabled()) {
            return;
        }
        ContextView ctx = req.currentContextView();
        Object inContext = ctx.getOrDefault(TaskThreadLocalAccessor.KEY, null);
        Task task = inContext instanceof Task ? (Task) inContext : Trace.currentTask();
        Object request = ctx.getOrDefault(TracedRoute.TRACE, null);
        String traceId = request instanceof TracedRoute.RequestTrace
                ? ((TracedRoute.RequestTrace) request).traceId()
                : TraceParent.newTraceId();
        String spanId = TraceParent.newSpanId();
        req.header(TraceParent.HEADER, TraceParent.format(traceId, spanId));
        if (task != null) {
            Span span = task.startSpan("http.client " + req.method().name())
                    .attr("trace.id", traceId)
                    .attr("trace.span_id", spanId)
                    .attr("http.target", req.resourceUrl());
            Call previous = conn.channel().attr(CALL).getAndSet(new Call(req, span));
            Span open = previous == null ? null : previous.finish();
            if (open != null) { // a call that no callback ended: it cannot be open any more
                open.attr("outcome", "superseded").end();
            }
            if (req instanceof Connection && ((Connection) req).isDisposed()) {
                onState((Connection) req, ConnectionObserver.State.DISCONNECTING); // cancelled before it was prepared
            }
        }
    }

    static void onResponse(HttpClientResponse res, Connection conn) {
        Span span = take(conn, res);
        if (span != null) {
            span.attr("http.status", TracedRoute.status(res.status().code())).end();
        }
    }

    /** A 3xx that reactor-netty follows: this exchange got its answer; the next request has its own span. */
    static void onRedirect(HttpClientResponse res, Connection conn) {
        onResponse(res, conn);
    }

    /** The exchange went back to the pool or its connection closed: still open means cancelled. */
    static void onState(Connection conn, ConnectionObserver.State state) {
        if (state == ConnectionObserver.State.RELEASED || state == ConnectionObserver.State.DISCONNECTING) {
            Span span = take(conn, conn);
            if (span != null) {
                span.attr("outcome", "cancelled").end();
            }
        }
    }

    /**
     * An error of the exchange itself: the server closed the connection before or
     * while answering ({@code PrematureCloseException}), a write failed. Redirects and
     * authentication retries travel the same way and are not errors: their own
     * callbacks end the span.
     */
    static void onUncaught(Connection conn, Throwable error) {
        String name = error == null ? "null" : error.getClass().getName();
        if (name.startsWith("reactor.netty.http.client.")
                && (name.endsWith("RedirectClientException") || name.endsWith("AuthenticationException"))) {
            return;
        }
        Span span = take(conn, conn);
        if (span != null) {
            span.attr("error", name).end();
        }
    }

    static void onResponseError(HttpClientResponse res, Throwable error) {
        failed(res, error);
    }

    /** reactor-netty's request and response objects are its connection: the call is on its channel. */
    private static void failed(Object exchange, Throwable error) {
        if (!(exchange instanceof Connection)) {
            return; // failed before a connection: no span was begun
        }
        Span span = take((Connection) exchange, exchange);
        if (span != null) {
            span.attr("error", error == null ? "null" : error.getClass().getName()).end();
        }
    }

    /** Removes the call of {@code exchange} from the channel of {@code conn}, if it is there and still open. */
    private static Span take(Connection conn, Object exchange) {
        Attribute<Call> attr = conn.channel().attr(CALL);
        Call call = attr.get();
        if (call == null || call.exchange != exchange || !attr.compareAndSet(call, null)) {
            return null;
        }
        return call.finish();
    }
}
