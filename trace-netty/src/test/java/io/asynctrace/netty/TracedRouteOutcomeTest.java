package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A traced request's outcome is the status the client got, whatever shape the handler's
 * publisher has. The first five shapes failed before the fix (outcome {@code cancelled},
 * the client got the status): a body that is a value at hand ({@code Mono.just}, so
 * Reactor's {@code flatMap} takes its scalar shortcut) is written whole by reactor-netty
 * inside the publisher's {@code subscribe}, which ends the response before the publisher's
 * {@code onSubscribe} reaches reactor-netty; reactor-netty then cancels the subscription
 * it no longer needs. A relay through a plain {@code Subscriber} (session 6's report) is
 * one of them, not the cause. The other shapes passed before and are kept as siblings.
 */
@ExtendWith(NoLeftovers.class)
class TracedRouteOutcomeTest {

    private static final class Shape {
        final BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler;
        final int status;
        final boolean error;

        Shape(int status, boolean error, BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
            this.handler = handler;
            this.status = status;
            this.error = error;
        }

        @Override
        public String toString() {
            return status + (error ? " with an error" : "");
        }
    }

    @Test
    void theOutcomeIsTheStatusTheClientGot() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        // failed before: the response written inside subscribe
        shapes.put("just", new Shape(200, false, (req, res) -> res.sendString(Mono.just("just"))));
        shapes.put("justThen", new Shape(200, false, (req, res) -> res.sendString(Mono.just("justThen")).then()));
        shapes.put("justRelayed", new Shape(200, false, (req, res) -> relay(res.sendString(Mono.just("justRelayed")))));
        shapes.put("created", new Shape(201, false, (req, res) ->
                res.status(HttpResponseStatus.CREATED).sendString(Mono.just("created"))));
        shapes.put("close", new Shape(200, false, (req, res) ->
                res.header("connection", "close").sendString(Mono.just("close"))));
        // passed before
        shapes.put("mapped", new Shape(200, false, (req, res) -> res.sendString(Mono.just("mapped").map(b -> b))));
        shapes.put("mappedRelayed", new Shape(200, false, (req, res) ->
                relay(res.sendString(Mono.just("mappedRelayed").map(b -> b)))));
        shapes.put("flux", new Shape(200, false, (req, res) -> res.sendString(Flux.just("fl", "ux"))));
        shapes.put("bytes", new Shape(200, false, (req, res) ->
                relay(res.sendObject(Unpooled.copiedBuffer("bytes", StandardCharsets.UTF_8)))));
        shapes.put("send", new Shape(200, false, (req, res) -> res.send()));
        shapes.put("notFound", new Shape(404, false, (req, res) -> res.sendNotFound()));
        shapes.put("empty", new Shape(200, false, (req, res) -> Mono.empty()));
        shapes.put("emptyRelayed", new Shape(200, false, (req, res) -> relay(Mono.empty())));
        shapes.put("error", new Shape(500, true, (req, res) -> Mono.error(new IllegalStateException("before"))));
        shapes.put("bodyError", new Shape(500, true, (req, res) ->
                res.sendString(Mono.error(new IllegalStateException("body")))));
        shapes.put("errorAfterResponse", new Shape(200, true, (req, res) ->
                res.sendString(Mono.just("errorAfterResponse")).then(Mono.error(new IllegalStateException("after")))));
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> shapes.forEach((path, shape) -> r.get("/" + path, TracedHttp.route("/" + path, shape.handler))))
                .bindNow();
        try {
            Recording rec = Recording.start();
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                assertThat(get(server.port(), "/" + e.getKey()).statusCode()).as(e.getKey()).isEqualTo(e.getValue().status);
            }
            rec.awaitRecorded("every request's task ended", m -> m.tasks().size() == shapes.size()
                    && m.tasks().stream().allMatch(TaskInfo::hasEnd));
            TraceModel trace = rec.stop();
            assertThat(shapes).allSatisfy((path, shape) -> {
                TaskInfo task = TraceModels.onlyTask(trace, "GET /" + path);
                assertThat(task.outcome()).as(path).isEqualTo(Integer.toString(shape.status));
                if (shape.error) {
                    assertThat(task.attributes()).as(path).containsEntry("error", IllegalStateException.class.getName());
                } else {
                    assertThat(task.attributes()).as(path).doesNotContainKey("error");
                }
            });
        } finally {
            server.disposeNow();
        }
    }

    /** A publisher of no library that relays {@code source} through a plain {@code Subscriber}, on the same thread. */
    static Publisher<Void> relay(Publisher<Void> source) {
        return subscriber -> source.subscribe(new Subscriber<Void>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscriber.onSubscribe(s);
            }

            @Override
            public void onNext(Void value) {
                subscriber.onNext(value);
            }

            @Override
            public void onError(Throwable t) {
                subscriber.onError(t);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
    }
}
