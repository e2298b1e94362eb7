package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reactor.ReactorTracing;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * What a traced route costs at assembly with trace-reactor installed, counted as session 6
 * did: a second {@code Hooks.onEachOperator}, after {@code ReactorTracing}'s, sees every
 * publisher assembled per request. The route's own publisher (reactor-netty's outbound, or
 * the request's {@code Mono}) gets no hop operator, tracing off or on, Reactor's automatic
 * propagation off or on. Before, with tracing off, reactor-netty's wrapper of the outbound
 * got one per request.
 */
@ExtendWith(NoLeftovers.class)
class RouteAssemblyTest {
    static final String COUNT_KEY = "io.asynctrace.netty.test.count";
    static final int REQUESTS = 20;
    private final Map<String, LongAdder> assembled = new ConcurrentHashMap<>();
    private DisposableServer server;

    @BeforeEach
    void start() {
        ReactorTracing.install();
        Hooks.onEachOperator(COUNT_KEY, p -> {
            assembled.computeIfAbsent(p.getClass().getName(), k -> new LongAdder()).increment();
            return p;
        });
        BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> order = (req, res) -> res.sendString(
                Mono.just(req.param("id")).publishOn(Schedulers.parallel()).map(id -> "order " + id));
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.get("/plain/{id}", order).get("/traced/{id}", TracedHttp.route("/traced/{id}", order)))
                .bindNow();
    }

    @AfterEach
    void stop() {
        server.disposeNow();
        Hooks.resetOnEachOperator(COUNT_KEY);
        ReactorTracing.uninstall();
        Hooks.disableAutomaticContextPropagation();
    }

    /** @return the publishers assembled per request of {@code route}, by class: hops under "hop" */
    private Map<String, Long> perRequest(String route) {
        assembled.clear();
        for (int i = 0; i < REQUESTS; i++) {
            assertThat(get(server.port(), "/" + route + "/" + i).statusCode()).isEqualTo(200);
        }
        Map<String, Long> counts = new java.util.TreeMap<>();
        assembled.forEach((type, n) -> counts.merge(type.startsWith("io.asynctrace.reactor.Hops$Hop") ? "hop" : type,
                n.sum(), Long::sum));
        return counts;
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private void check(boolean tracing, boolean automatic) {
        Map<String, Long> plain = perRequest("plain");
        Map<String, Long> traced;
        if (tracing) {
            try (Recording rec = Recording.start()) {
                traced = perRequest("traced");
            }
        } else {
            traced = perRequest("traced");
        }
        if (!automatic) { // the automatic mode's restoring wrapper of the outbound gets none
            assertThat(plain.get("hop")).as("the untraced route: the hop after reactor-netty's wrapper of the outbound, "
                    + plain).isEqualTo((long) REQUESTS);
        }
        assertThat(traced).as("the traced route assembles no hop").doesNotContainKey("hop");
        // Without automatic mode reactor-netty's MonoSource of the outbound is not assembled either; with it,
        // Reactor's restoring wrapper is, in both routes.
        assertThat(total(traced)).as("no more publishers than the untraced route: " + traced + " vs " + plain)
                .isLessThanOrEqualTo(total(plain) - (automatic ? 0 : REQUESTS));
    }

    @Test
    void tracingOffTheRouteAssemblesNoHop() {
        check(false, false);
    }

    @Test
    void tracingOnTheRouteAssemblesNoHop() {
        check(true, false);
    }

    @Test
    void withAutomaticPropagationOnTheRouteAssemblesNoHop() {
        Hooks.enableAutomaticContextPropagation();
        check(false, true);
        check(true, true);
    }
}
