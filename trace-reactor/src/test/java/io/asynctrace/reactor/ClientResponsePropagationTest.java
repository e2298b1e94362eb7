package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * reactor-netty client response handling, for clients configured in the ways that put an
 * operator on reactor-netty's connect {@code Mono} (request-error and connect callbacks,
 * {@code mapConnect}, {@code headersWhen}): code after {@code responseContent()} and in
 * {@code responseSingle} runs on the task, as with a plain client (PropagationTest). Each
 * case runs {@value PropagationTest#TASKS} tasks at once and reads the trace back. Before
 * {@code Mono.flatMapMany} got a hop, {@code responseContent()} failed for every shape but
 * the plain one: the hop went after the connect {@code Mono}'s operator, before the
 * {@code flatMapMany} whose inner (reactor-netty's inbound) skips assembly.
 */
@ExtendWith(NoLeftovers.class)
class ClientResponsePropagationTest {
    static DisposableServer server;

    @BeforeAll
    static void startServer() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> res.sendString(Mono.just("n" + req.uri().substring(1))))
                .bindNow();
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
    }

    @BeforeEach
    void install() {
        ReactorTracing.install();
    }

    @AfterEach
    void tearDown() {
        Trace.stop();
        ReactorTracing.uninstall();
    }

    static UnaryOperator<HttpClient> config(String shape) {
        switch (shape) {
            case "plain":
                return c -> c;
            case "doOnRequestError":
                return c -> c.doOnRequestError((req, e) -> { });
            case "doOnError":
                return c -> c.doOnError((req, e) -> { }, (res, e) -> { });
            case "doOnConnect":
                return c -> c.doOnConnect(conf -> { });
            case "mapConnect":
                return c -> c.mapConnect(m -> m.map(conn -> conn));
            case "headersWhen":
                return c -> c.headersWhen(h -> Mono.just(h.set("x-when", "1")));
            default:
                throw new IllegalArgumentException(shape);
        }
    }

    static HttpClient client(String shape) {
        return config(shape).apply(HttpClient.create().baseUrl("http://127.0.0.1:" + server.port()));
    }

    @org.junit.jupiter.api.Test
    void flatMapManyGetsAHop() {
        assertThat(Mono.just(1).flatMapMany(reactor.core.publisher.Flux::just)).isInstanceOf(Hops.Hop.class);
        assertThat(Mono.just(1).flatMapMany(reactor.core.publisher.Flux::just).map(x -> x))
                .as("one hop, not one after it too").isNotInstanceOf(Hops.Hop.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "doOnRequestError", "doOnError", "doOnConnect", "mapConnect", "headersWhen"})
    void responseContent(String shape) {
        HttpClient client = client(shape);
        TraceModel m = PropagationTest.check(1, i -> client.get().uri("/" + i).responseContent().aggregate().asString()
                .map(body -> PropagationTest.mark(i, body)));
        assertThat(PropagationTest.threadsNamed(m, "reactor-http")).isEqualTo(PropagationTest.TASKS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "doOnRequestError", "doOnError", "doOnConnect", "mapConnect", "headersWhen"})
    void responseSingle(String shape) {
        HttpClient client = client(shape);
        TraceModel m = PropagationTest.check(2, i -> client.get().uri("/" + i)
                .responseSingle((res, content) -> content.asString().map(b -> PropagationTest.mark(i, b)))
                .map(body -> PropagationTest.mark(i, body)));
        assertThat(PropagationTest.threadsNamed(m, "reactor-http")).isEqualTo(2 * PropagationTest.TASKS);
    }
}
