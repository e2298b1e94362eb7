package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.getAsync;
import static io.asynctrace.netty.Endpoints.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reactor.ReactorTracing;
import io.asynctrace.reactor.Trace;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import io.netty.util.concurrent.EventExecutor;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.HttpResources;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Traced routes and a traced client with {@code ReactorTracing.install()} alone, no Reactor
 * propagation mode (TracedHttpTest runs with automatic mode on): {@value #ORDERS} orders at
 * once, each a request that calls another service through the traced client, logs in the
 * client's response handling (on the client's event loop) and again after a
 * {@code publishOn}, while the called service logs after its own {@code publishOn}. Read
 * back, every log is on the task of its own request, every client span on its order's task,
 * and each called request's {@code trace.parent_id} is that span's id; no event loop keeps a task.
 */
@ExtendWith(NoLeftovers.class)
class RoutePropagationTest {
    static final int ORDERS = 20;
    private DisposableServer stock;
    private DisposableServer shop;

    @BeforeEach
    void start() {
        ReactorTracing.install();
        stock = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.get("/stock/{item}", TracedHttp.route("/stock/{item}", (req, res) -> res.sendString(
                        Mono.just(req.param("item")).publishOn(Schedulers.parallel()).map(item -> {
                            Trace.log("stock", item);
                            return "stock " + item;
                        })))))
                .bindNow();
        HttpClient client = TracedHttp.client(HttpClient.create().baseUrl("http://127.0.0.1:" + stock.port()));
        shop = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.get("/order/{id}", TracedHttp.route("/order/{id}", (req, res) -> {
                    String id = req.param("id");
                    return res.sendString(client.get().uri("/stock/" + id).responseContent().aggregate().asString()
                            .map(body -> {
                                Trace.log("response", id); // the client's response handling
                                return body;
                            })
                            .publishOn(Schedulers.boundedElastic())
                            .map(body -> {
                                Trace.log("after", id);
                                return "order " + id + ": " + body;
                            }));
                })))
                .bindNow();
    }

    @AfterEach
    void stop() {
        shop.disposeNow();
        stock.disposeNow();
        ReactorTracing.uninstall();
    }

    @Test
    void everyLogAndClientSpanIsOnItsRequestsTask() {
        Recording rec = Recording.start();
        List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            answers.add(getAsync(shop.port(), "/order/" + i));
        }
        for (int i = 0; i < ORDERS; i++) {
            HttpResponse<byte[]> res = Await.value("order " + i, answers.get(i));
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(text(res)).isEqualTo("order " + i + ": stock " + i);
        }
        rec.awaitRecorded("every request's task ended", m -> m.tasks().size() == 2 * ORDERS
                && m.tasks().stream().allMatch(TaskInfo::hasEnd));
        TraceModel trace = rec.stop();
        Map<String, TaskInfo> byTarget = trace.tasks().stream()
                .collect(Collectors.toMap(t -> t.attributes().get("http.target"), t -> t));
        for (LogInfo log : trace.logs()) {
            String route = log.category().equals("stock") ? "/stock/" : "/order/";
            assertThat(log.taskId()).as("log %s %s", log.category(), log.message())
                    .isEqualTo(byTarget.get(route + log.message()).id());
        }
        assertThat(trace.logs()).hasSize(3 * ORDERS);
        assertThat(trace.logs().stream().filter(l -> l.category().equals("response"))
                .map(l -> trace.threads().get(l.thread()))).allSatisfy(t -> assertThat(t).startsWith("reactor-http-"));
        assertThat(trace.logs().stream().filter(l -> l.category().equals("after"))
                .map(l -> trace.threads().get(l.thread()))).allSatisfy(t -> assertThat(t).startsWith("boundedElastic-"));
        assertThat(trace.spans()).hasSize(ORDERS);
        for (SpanInfo call : trace.spans()) {
            String target = call.attributes().get("http.target");
            String id = target.substring(target.lastIndexOf('/') + 1);
            assertThat(call.name()).isEqualTo("http.client GET");
            assertThat(call.hasEnd()).isTrue();
            assertThat(call.attributes()).containsEntry("http.status", "200");
            assertThat(call.taskId()).as("span of order %s", id).isEqualTo(byTarget.get("/order/" + id).id());
            assertThat(byTarget.get("/stock/" + id).attributes())
                    .containsEntry("trace.parent_id", call.attributes().get("trace.span_id"));
        }
        for (EventExecutor loop : HttpResources.get().onServer(LoopResources.DEFAULT_NATIVE)) {
            assertThat(Await.value("the current task of " + loop, loop.submit(io.asynctrace.Trace::currentTask)))
                    .as("event loop %s keeps no task", loop).isNull();
        }
    }
}
