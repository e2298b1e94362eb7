package io.asynctrace.netty;

import java.util.Objects;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * HTTP requests as asynctrace tasks on reactor-netty: each request a traced
 * {@code HttpServer} route handles is a task, and a traced {@code HttpClient} sends
 * the W3C {@code traceparent} header so two services' traces can be joined.
 *
 * <pre>{@code
 * HttpServer.create().host("127.0.0.1").port(8080)
 *     .route(routes -> routes.get("/order/{id}", TracedHttp.route("/order/{id}", (req, res) ->
 *         res.sendString(kitchen.order(req.param("id"))))))
 *     .bindNow();
 *
 * HttpClient payments = TracedHttp.client(HttpClient.create().baseUrl("http://payments:8081"));
 * }</pre>
 *
 * <p><b>Server tasks.</b> The task type is the method and the route template you
 * pass ({@code "GET /order/{id}"}), never the concrete path, so types stay few. The
 * task is created when the handler is called, its outcome is the response status
 * ({@code "200"}, {@code "500"} when the handler fails before sending headers) or
 * {@code "cancelled"} when the client went away first. The task is current on the
 * calling thread while the handler function runs and while reactor-netty subscribes
 * to, requests from and cancels the handler's publisher, and it is in the Reactor
 * {@code Context} of that publisher under
 * {@link io.asynctrace.TaskThreadLocalAccessor#KEY}: with trace-reactor's
 * {@code ReactorTracing.install()} (no Reactor propagation mode needed), or Reactor's
 * automatic context propagation, {@code Trace.log} and {@code Trace.withSpan} inside
 * operators on any thread land on it; trace-reactor's {@code Trace.span} and
 * {@code Trace.log(ContextView, ...)} find it in any mode.
 * Task attributes: {@code http.target} (the request URI), {@code trace.id} (from
 * {@code traceparent}; without one, a random id made when the handler first calls out
 * through a traced client and shared by all its calls),
 * {@code trace.parent_id} (the caller's span id from {@code traceparent}), or
 * {@code traceparent.invalid} (a header that does not parse, which is otherwise ignored).
 *
 * <p><b>Client spans.</b> A traced client adds {@code traceparent:
 * 00-<trace.id>-<span id>-01} to each request and records a detached span
 * {@code "http.client <METHOD>"} on the task in the subscriber's {@code Context} (else
 * the thread's current task), from sending the request to receiving the response
 * headers, with attributes {@code trace.id}, {@code trace.span_id} (the id sent),
 * {@code http.target}, and {@code http.status} or {@code error}; a request cancelled
 * before its response ends its span with {@code outcome = cancelled}. The server's
 * {@code trace.parent_id} equals the client's {@code trace.span_id}: that pair is
 * what joins the two traces.
 *
 * <p><b>Cost.</b> While tracing is off, a traced route calls the handler directly and
 * a traced client adds no header: one volatile read per request. A handler's publisher
 * of no Reactor type (reactor-netty's outbound) is handed to reactor-netty in a small
 * {@code Mono} that subscribes it directly, in place of the wrapper reactor-netty would
 * assemble ({@code Mono.fromDirect}): so no assembly hook meets it, and trace-reactor's
 * puts no hop operator after it. While tracing is on, the request's {@code Mono}
 * subscribes the handler's publisher itself in the same way.
 */
public final class TracedHttp {
    private TracedHttp() {
    }

    /**
     * Wraps a reactor-netty route handler so that each request is a task of type
     * {@code "<METHOD> <route>"}.
     *
     * @param route the route template, such as {@code "/order/{id}"}; keep routes few
     * @param handler the handler
     * @return the traced handler, for {@code HttpServerRoutes.get/post/route} or {@code HttpServer.handle}
     */
    public static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> route(String route,
            BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        return new TracedRoute(Objects.requireNonNull(route, "route"), Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Returns a client that sends {@code traceparent} and records a span per request
     * while tracing is on.
     *
     * @param client a reactor-netty client
     * @return the traced client
     */
    public static HttpClient client(HttpClient client) {
        // Callbacks and an observer only: no doOnRequestError, for which reactor-netty wraps the connect Mono in
        // an onErrorResume per request (HttpClientConnect.connect) to report failures before a connection, which
        // have no span; the errors it reports with a connection reach the observer's onUncaughtException too.
        return client.doOnRequest(ClientTracing::onRequest)
                .doOnResponse(ClientTracing::onResponse)
                .doOnRedirect(ClientTracing::onRedirect)
                .doOnResponseError(ClientTracing::onResponseError)
                .observe(ClientTracing.OBSERVER);
    }
}
