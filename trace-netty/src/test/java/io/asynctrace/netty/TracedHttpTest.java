package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static io.asynctrace.netty.Endpoints.request;
import static io.asynctrace.netty.Endpoints.send;
import static io.asynctrace.netty.Endpoints.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.Trace;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/** Two reactor-netty services on loopback, A calling B through a traced client, both recording into one trace. */
@ExtendWith(NoLeftovers.class)
class TracedHttpTest {
    private static DisposableServer stock;
    private static DisposableServer shop;
    private static final CountDownLatch SLOW_CANCELLED = new CountDownLatch(1);
    private Recording recording;

    @BeforeAll
    static void startServices() {
        Hooks.enableAutomaticContextPropagation();
        stock = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r
                        .get("/stock/{item}", TracedHttp.route("/stock/{item}", (req, res) -> res.sendString(
                                Mono.just(req.param("item")).publishOn(Schedulers.parallel()).map(item -> {
                                    Trace.log("stock", item); // on a parallel thread: automatic propagation
                                    return "in stock: " + item;
                                }))))
                        .get("/echo", (req, res) -> res.sendString(Mono.just(
                                String.valueOf(req.requestHeaders().get("traceparent"))))))
                .bindNow();
        HttpClient stockClient = TracedHttp.client(HttpClient.create().baseUrl("http://127.0.0.1:" + stock.port()));
        shop = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r
                        .get("/order/{id}", TracedHttp.route("/order/{id}", (req, res) -> {
                            Trace.log("order", req.param("id")); // while the handler function runs
                            return res.sendString(stockClient.get().uri("/stock/milk")
                                    .responseContent().aggregate().asString()
                                    .map(s -> "order " + req.param("id") + ": " + s));
                        }))
                        .get("/echo", TracedHttp.route("/echo", (req, res) -> res.sendString(
                                stockClient.get().uri("/echo").responseContent().aggregate().asString())))
                        .post("/missing", TracedHttp.route("/missing", (req, res) -> res.status(404).send()))
                        .get("/boom", TracedHttp.route("/boom", (req, res) ->
                                Mono.error(new IllegalStateException("boom"))))
                        .get("/throws", TracedHttp.route("/throws", (req, res) -> {
                            throw new IllegalArgumentException("thrown");
                        }))
                        .get("/slow", TracedHttp.route("/slow", (req, res) -> res.sendString(
                                Mono.delay(Duration.ofSeconds(30)).map(x -> "late")
                                        .doOnCancel(SLOW_CANCELLED::countDown)))))
                .bindNow();
    }

    @AfterAll
    static void stopServices() {
        shop.disposeNow();
        stock.disposeNow();
        Hooks.disableAutomaticContextPropagation();
    }

    @AfterEach
    void stopTracing() {
        Trace.stop();
    }

    private void record() {
        recording = Recording.start();
    }

    /**
     * Stops once every request's task has ended: a server task ends when its response has
     * been written, which can be just after the client has read it.
     */
    private TraceModel stop() {
        recording.awaitRecorded("every request's task ended", m -> m.tasks().stream().allMatch(TaskInfo::hasEnd));
        return recording.stop();
    }

    private static TaskInfo onlyTask(TraceModel trace, String type) {
        return TraceModels.onlyTask(trace, type);
    }

    @Test
    void eachRequestIsATaskAndTraceparentJoinsTheTwoServices() {
        record();
        HttpResponse res = HttpResponse.of(get(shop.port(), "/order/7"));
        assertThat(res.status).isEqualTo(200);
        assertThat(res.body).isEqualTo("order 7: in stock: milk");
        TraceModel trace = stop();

        TaskInfo order = onlyTask(trace, "GET /order/{id}");
        assertThat(order.outcome()).isEqualTo("200");
        assertThat(order.attributes()).containsEntry("http.target", "/order/7").doesNotContainKey("trace.parent_id");
        String traceId = order.attributes().get("trace.id");
        assertThat(traceId).matches("[0-9a-f]{32}");
        assertThat(trace.logs()).anySatisfy(log -> assertLog(log, order.id(), "order", "7"));

        SpanInfo call = trace.spans().stream().filter(s -> "http.client GET".equals(s.name())).findFirst().orElseThrow();
        assertThat(call.taskId()).isEqualTo(order.id());
        assertThat(call.hasEnd()).isTrue();
        assertThat(call.attributes()).containsEntry("http.status", "200").containsEntry("trace.id", traceId)
                .containsEntry("http.target", "http://127.0.0.1:" + stock.port() + "/stock/milk");

        TaskInfo lookup = onlyTask(trace, "GET /stock/{item}");
        assertThat(lookup.outcome()).isEqualTo("200");
        assertThat(lookup.attributes())
                .containsEntry("trace.id", traceId)
                .containsEntry("trace.parent_id", call.attributes().get("trace.span_id"));
        assertThat(trace.logs()).anySatisfy(log -> assertLog(log, lookup.id(), "stock", "milk"));
        assertThat(trace.threads().get(trace.logs().stream().filter(l -> l.category().equals("stock"))
                .findFirst().orElseThrow().thread())).startsWith("parallel-");
    }

    private static void assertLog(LogInfo log, long task, String category, String message) {
        assertThat(log.taskId()).isEqualTo(task);
        assertThat(log.category()).isEqualTo(category);
        assertThat(log.message()).isEqualTo(message);
    }

    @Test
    void outcomeIsTheStatus() {
        record();
        assertThat(send(request(shop.port(), "/missing").POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                .build()).statusCode()).isEqualTo(404);
        assertThat(get(shop.port(), "/boom").statusCode()).isEqualTo(500);
        assertThat(get(shop.port(), "/throws").statusCode()).isEqualTo(500);
        TraceModel trace = stop();
        assertThat(onlyTask(trace, "POST /missing").outcome()).isEqualTo("404");
        TaskInfo boom = onlyTask(trace, "GET /boom");
        assertThat(boom.outcome()).isEqualTo("500");
        assertThat(boom.attributes()).containsEntry("error", IllegalStateException.class.getName());
        TaskInfo thrown = onlyTask(trace, "GET /throws");
        assertThat(thrown.outcome()).isEqualTo("500");
        assertThat(thrown.attributes()).containsEntry("error", IllegalArgumentException.class.getName());
    }

    @Test
    void incomingTraceparentIsRecordedAndAnInvalidOneIgnored() {
        record();
        String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assertThat(send(request(stock.port(), "/stock/beans").header("traceparent", parent).build()).statusCode())
                .isEqualTo(200);
        assertThat(send(request(stock.port(), "/stock/cups").header("traceparent", "00-nonsense").build())
                .statusCode()).isEqualTo(200);
        TraceModel trace = stop();
        List<TaskInfo> tasks = trace.tasks().stream().filter(t -> "GET /stock/{item}".equals(t.type()))
                .collect(Collectors.toList());
        assertThat(tasks).hasSize(2);
        TaskInfo beans = tasks.stream().filter(t -> t.attributes().get("http.target").equals("/stock/beans"))
                .findFirst().orElseThrow();
        assertThat(beans.attributes())
                .containsEntry("trace.id", "4bf92f3577b34da6a3ce929d0e0e4736")
                .containsEntry("trace.parent_id", "00f067aa0ba902b7");
        TaskInfo cups = tasks.stream().filter(t -> t.attributes().get("http.target").equals("/stock/cups"))
                .findFirst().orElseThrow();
        assertThat(cups.attributes()).containsEntry("traceparent.invalid", "00-nonsense")
                .doesNotContainKey("trace.parent_id")
                .doesNotContainKey("trace.id"); // made only when the handler calls out
    }

    @Test
    void clientSendsTraceparentOnlyWhileTracing() {
        assertThat(text(get(shop.port(), "/echo"))).isEqualTo("null");
        record();
        String sent = text(get(shop.port(), "/echo"));
        TraceModel trace = stop();
        TaskInfo echo = onlyTask(trace, "GET /echo");
        assertThat(sent).isEqualTo("00-" + echo.attributes().get("trace.id") + "-"
                + trace.spans().stream().filter(s -> s.taskId() == echo.id()).findFirst().orElseThrow()
                        .attributes().get("trace.span_id") + "-01");
    }

    @Test
    void clientOutsideAnyTaskStillSendsANewTraceparent() {
        HttpClient client = TracedHttp.client(HttpClient.create().baseUrl("http://127.0.0.1:" + stock.port()));
        record();
        String sent = client.get().uri("/echo").responseContent().aggregate().asString().block(Duration.ofSeconds(10));
        stop();
        assertThat(TraceParent.parse(sent)).isNotNull();
    }

    @Test
    void routesWorkWhileTracingIsOffAndRecordNothing() {
        assertThat(text(get(shop.port(), "/order/1"))).isEqualTo("order 1: in stock: milk");
        record();
        assertThat(text(get(shop.port(), "/order/2"))).isEqualTo("order 2: in stock: milk");
        TraceModel trace = stop();
        // Only the request made while recording is there: the one made while off left nothing behind.
        assertThat(onlyTask(trace, "GET /order/{id}").attributes()).containsEntry("http.target", "/order/2");
        assertThat(onlyTask(trace, "GET /stock/{item}").attributes()).containsEntry("http.target", "/stock/milk");
        assertThat(trace.logs()).filteredOn(l -> l.category().equals("order")).extracting(LogInfo::message)
                .containsExactly("2");
    }

    @Test
    void clientThatGoesAwayCancelsTheTask() throws Exception {
        record();
        HttpClient impatient = HttpClient.create().responseTimeout(Duration.ofMillis(200));
        assertThatThrownBy(() -> impatient.get().uri("http://127.0.0.1:" + shop.port() + "/slow")
                .responseContent().aggregate().asString().block(Duration.ofSeconds(10)))
                .isInstanceOf(io.netty.handler.timeout.ReadTimeoutException.class);
        assertThat(SLOW_CANCELLED.await(10, TimeUnit.SECONDS)).isTrue();
        TraceModel trace = stop();
        assertThat(onlyTask(trace, "GET /slow").outcome()).isEqualTo("cancelled");
    }

    /** A JDK response with its body as text. */
    private static final class HttpResponse {
        final int status;
        final String body;

        private HttpResponse(int status, String body) {
            this.status = status;
            this.body = body;
        }

        static HttpResponse of(java.net.http.HttpResponse<byte[]> res) {
            return new HttpResponse(res.statusCode(), text(res));
        }
    }
}
