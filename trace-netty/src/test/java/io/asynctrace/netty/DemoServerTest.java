package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static io.asynctrace.netty.Endpoints.model;
import static io.asynctrace.netty.Endpoints.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/** What {@code asynctrace demo --serve PORT} does: orders over HTTP, a live trace of them over HTTP. */
@ExtendWith(NoLeftovers.class)
class DemoServerTest {
    @AfterEach
    void stop() {
        Endpoints.stopLeftovers();
    }

    @Test
    void liveTraceOfOrders() throws Exception {
        try (DemoServer demo = DemoServer.start(0)) {
            assertThat(Hooks.isAutomaticContextPropagationEnabled()).as("no propagation mode turned on").isFalse();
            assertThat(text(get(demo.port(), "/order"))).isEqualTo("cappuccino #1\n");
            HttpResponse<byte[]> res = Endpoints.traceWhile(demo.port(), () -> {
                for (int i = 0; i < 5; i++) {
                    assertThat(text(get(demo.port(), "/order"))).matches("cappuccino #\\d+\n");
                }
            });
            assertThat(res.statusCode()).isEqualTo(200);
            TraceModel model = model(res.body());
            assertThat(model.complete()).isTrue();
            List<TaskInfo> orders = model.tasks().stream().filter(t -> "GET /order".equals(t.type()))
                    .collect(Collectors.toList());
            assertThat(orders).hasSize(5).allSatisfy(t -> assertThat(t.outcome()).isEqualTo("200"));
            for (TaskInfo order : orders) {
                List<String> spans = model.spans().stream().filter(s -> s.taskId() == order.id())
                        .map(SpanInfo::name).sorted().collect(Collectors.toList());
                assertThat(spans).containsExactly("extractCoffee", "mixMilkCoffee", "steamMilk");
                assertThat(model.logs()).anySatisfy(l -> {
                    assertThat(l.taskId()).isEqualTo(order.id());
                    assertThat(l.category()).isEqualTo("orderID");
                });
            }
        }
    }

    @Test
    void ordersComeFromThePluggedInFunction() {
        try (DemoServer demo = DemoServer.start(0, n -> Mono.just("espresso " + n))) {
            assertThat(text(get(demo.port(), "/order"))).isEqualTo("espresso 1\n");
            assertThat(text(get(demo.port(), "/order"))).isEqualTo("espresso 2\n");
            assertThat(text(get(demo.port(), "/"))).contains(TraceEndpoint.PATH);
        }
    }
}
