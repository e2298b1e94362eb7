package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static io.asynctrace.netty.Endpoints.model;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.FlightRecorder;
import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /debug/asynctrace/flight serves the running flight recorder's snapshot. */
@ExtendWith(NoLeftovers.class)
class FlightEndpointTest {
    private DebugServer server;
    private FlightRecorder flight;

    @BeforeEach
    void start() {
        server = DebugServer.start(0, TraceEndpoint.defaults());
    }

    @AfterEach
    void stop() {
        if (flight != null) {
            flight.stop();
        }
        server.close();
        Endpoints.stopLeftovers();
    }

    @Test
    void notFoundWithoutAFlightRecorder() {
        HttpResponse<byte[]> res = get(server.port(), TraceEndpoint.FLIGHT_PATH);
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(new String(res.body(), StandardCharsets.UTF_8)).contains("no flight recorder");
    }

    @Test
    void servesTheSnapshotAndLeavesTheFlightRecorderRunning() throws Exception {
        flight = new FlightRecorder(Duration.ofSeconds(5), 8 << 20)
                .withOptions(TraceOptions.defaults().withFlushIntervalMillis(10));
        flight.start();
        try (Task t = Trace.newTask("order"); Scope s = t.makeCurrent()) {
            Trace.log("orderID", "7");
        }
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> res = get(server.port(), TraceEndpoint.FLIGHT_PATH);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-disposition")).get().asString()
                    .matches("attachment; filename=\"asynctrace-flight-\\d{8}T\\d{6}Z\\.trace\"");
            TraceModel m = model(res.body());
            assertThat(m.complete()).isTrue();
            assertThat(m.tasks()).extracting(x -> x.type()).contains("order");
            assertThat(m.logs()).extracting(x -> x.message()).contains("7");
        }
        assertThat(flight.isRunning()).isTrue();
        // A live trace can be taken while the flight recorder runs.
        HttpResponse<byte[]> live = get(server.port(), TraceEndpoint.PATH + "?seconds=0.2");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(model(live.body()).complete()).isTrue();
        assertThat(flight.isRunning()).isTrue();
    }
}
