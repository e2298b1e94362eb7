package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Review 62 (the reviewer's test; its wait is on the trace, not a sleep): a handler publisher that throws from subscribe (a publisher of no library breaking
 * §1.9/§2.13), or a handler returning null: reactor-netty answers 500; the request's task must end
 * ("nothing silently lost"), as it does when the handler function itself throws.
 */
@ExtendWith(NoLeftovers.class)
class Review62RouteTest {

    private static void check(String path, Publisher<Void> returned) {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.get("/" + path, TracedHttp.route("/" + path, (req, res) -> returned)))
                .bindNow();
        try {
            Recording rec = Recording.start();
            try {
                get(server.port(), "/" + path); // reactor-netty closes the connection (the JDK client retries once)
            } catch (RuntimeException closed) {
                // expected: no response
            }
            rec.awaitRecorded("the request's task ended", m -> !m.tasks().isEmpty()
                    && m.tasks().stream().allMatch(TaskInfo::hasEnd));
            TraceModel trace = rec.stop();
            assertThat(trace.tasks()).isNotEmpty().allSatisfy(task -> {
                assertThat(task.type()).isEqualTo("GET /" + path);
                assertThat(task.hasEnd()).as("task of GET /%s ended", path).isTrue();
                assertThat(task.outcome()).isEqualTo("500");
            });
        } finally {
            server.disposeNow();
        }
    }

    /** Without asynctrace, and before fdd7800, reactor-netty answers 500 (the error reaches its subscriber before any header). */
    private static void checkAnswered500(String path, Publisher<Void> returned) {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.get("/" + path, TracedHttp.route("/" + path, (req, res) -> returned)))
                .bindNow();
        try (Recording rec = Recording.start()) {
            assertThat(get(server.port(), "/" + path).statusCode()).isEqualTo(500);
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void aHandlerPublisherThatThrowsInSubscribeIsAnswered500() {
        checkAnswered500("throwsInSubscribe", s -> {
            throw new IllegalStateException("subscribe refused");
        });
    }

    @Test
    void aHandlerThatReturnsNullIsAnswered500() {
        checkAnswered500("null", null);
    }

    @Test
    void aHandlerPublisherThatThrowsInSubscribeEndsTheTask() {
        check("throwsInSubscribe", s -> {
            throw new IllegalStateException("subscribe refused");
        });
    }

    @Test
    void aHandlerThatReturnsNullEndsTheTask() {
        check("null", null);
    }
}
