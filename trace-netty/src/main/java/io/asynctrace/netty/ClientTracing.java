package io.asynctrace.netty;

import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import io.asynctrace.Trace;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.util.context.ContextView;

/**
 * The callbacks of {@link TracedHttp#client}: static methods, so the client holds no
 * per-request lambdas. The open span of a request is kept on its channel (one
 * request at a time per HTTP/1.1 connection or HTTP/2 stream).
 */
final class ClientTracing {
    private static final AttributeKey<Span> SPAN = AttributeKey.valueOf("io.asynctrace.netty.client-span");

    private ClientTracing() {
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
            Span previous = conn.channel().attr(SPAN).getAndSet(span);
            if (previous != null) { // a redirect: the previous request got its answer
                previous.end();
            }
        }
    }

    static void onResponse(HttpClientResponse res, Connection conn) {
        Span span = conn.channel().attr(SPAN).getAndSet(null);
        if (span != null) {
            span.attr("http.status", TracedRoute.status(res.status().code())).end();
        }
    }

    static void onRequestError(HttpClientRequest req, Throwable error) {
        failed(req, error);
    }

    static void onResponseError(HttpClientResponse res, Throwable error) {
        failed(res, error);
    }

    /** reactor-netty's request and response objects are its connection: the span is on its channel. */
    private static void failed(Object exchange, Throwable error) {
        if (!(exchange instanceof Connection)) {
            return;
        }
        Channel ch = ((Connection) exchange).channel();
        Span span = ch.attr(SPAN).getAndSet(null);
        if (span != null) {
            span.attr("error", error == null ? "null" : error.getClass().getName()).end();
        }
    }
}
