package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.awaitTracing;
import static io.asynctrace.netty.Endpoints.get;
import static io.asynctrace.netty.Endpoints.getAsync;
import static io.asynctrace.netty.Endpoints.model;
import static io.asynctrace.netty.Endpoints.request;
import static io.asynctrace.netty.Endpoints.send;
import static io.asynctrace.netty.Endpoints.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(NoLeftovers.class)
class DebugServerTest {
    private DebugServer server;

    @BeforeEach
    void start() {
        server = DebugServer.start(0, TraceEndpoint.defaults().withMaxSeconds(10));
    }

    @AfterEach
    void stop() {
        server.close();
        Endpoints.stopLeftovers();
    }

    @Test
    void bindsLoopbackOnTheChosenPort() {
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.port()).isPositive();
    }

    @Test
    void streamsATraceOfTheEventsEmittedDuringTheWindow() throws Exception {
        long[] emitted = new long[1];
        HttpResponse<byte[]> res = Endpoints.traceWhile(server.port(), () -> {
            try (Task order = Trace.newTask("order"); Scope s = order.makeCurrent()) {
                emitted[0] = order.id();
                order.attr("size", "large");
                Trace.withSpan("brew", () -> Trace.log("orderID", "42"));
            }
        });
        long taskId = emitted[0];

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(res.headers().firstValue("content-disposition").orElseThrow())
                .matches("attachment; filename=\"asynctrace-\\d{8}T\\d{6}Z\\.trace\"");
        TraceModel trace = model(res.body());
        assertThat(trace.complete()).isTrue();
        assertThat(trace.truncated()).isFalse();
        TaskInfo task = trace.task(taskId);
        assertThat(task.type()).isEqualTo("order");
        assertThat(task.outcome()).isEqualTo("ok");
        assertThat(task.attributes()).containsEntry("size", "large");
        assertThat(trace.spans()).anySatisfy(span -> {
            assertThat(span.name()).isEqualTo("brew");
            assertThat(span.taskId()).isEqualTo(taskId);
        });
        assertThat(trace.logs()).anySatisfy(log -> {
            assertThat(log.taskId()).isEqualTo(taskId);
            assertThat(log.message()).isEqualTo("42");
        });
    }

    @Test
    void recordsOneSecondWithoutSecondsAndTheNextRequestWorks() {
        long t0 = System.nanoTime();
        HttpResponse<byte[]> first = get(server.port(), TraceEndpoint.PATH);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
        assertThat(model(first.body()).complete()).isTrue();
        awaitTracing(false);

        HttpResponse<byte[]> second = get(server.port(), TraceEndpoint.PATH + "?seconds=0.05");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(model(second.body()).complete()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "0.0", "-1", "11", "1e1", "NaN", "", "1,5", "0x10", "99999999999"})
    void badSecondsIs400(String seconds) {
        HttpResponse<byte[]> res = get(server.port(), TraceEndpoint.PATH + "?seconds=" + seconds);
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(text(res)).contains("seconds").contains("10");
        assertThat(Trace.isEnabled()).isFalse();
    }

    @Test
    void repeatedSecondsIs400() {
        assertThat(get(server.port(), TraceEndpoint.PATH + "?seconds=1&seconds=2").statusCode()).isEqualTo(400);
    }

    @Test
    void otherMethodsAre405WithAllow() {
        for (String method : List.of("POST", "PUT", "DELETE", "HEAD")) {
            HttpResponse<byte[]> res = send(request(server.port(), TraceEndpoint.PATH + "?seconds=1")
                    .method(method, HttpRequest.BodyPublishers.ofString("x")).build());
            assertThat(res.statusCode()).as(method).isEqualTo(405);
            assertThat(res.headers().firstValue("allow")).hasValue("GET");
        }
        assertThat(Trace.isEnabled()).isFalse();
    }

    @Test
    void unknownPathsAre404() {
        for (String path : List.of("/", "/debug/asynctrace/", "/debug/asynctrace/profile", "/debug/pprof/trace",
                TraceEndpoint.PATH + "/x")) {
            HttpResponse<byte[]> res = get(server.port(), path);
            assertThat(res.statusCode()).as(path).isEqualTo(404);
            assertThat(text(res)).contains(TraceEndpoint.PATH);
        }
    }

    @Test
    void secondConcurrentRequestIs409AndTheFirstCompletes() {
        List<HttpResponse<byte[]>> second = new ArrayList<>();
        HttpResponse<byte[]> first = Endpoints.traceWhile(server.port(), () -> {
            second.clear(); // only the run inside a window counts
            second.add(get(server.port(), TraceEndpoint.PATH + "?seconds=0.05"));
        });
        assertThat(second.get(0).statusCode()).isEqualTo(409);
        assertThat(text(second.get(0))).contains("already");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(model(first.body()).complete()).isTrue();
    }

    @Test
    void tracingStartedByTheApplicationIs409() {
        Trace.start(new ByteArrayOutputStream());
        try {
            assertThat(get(server.port(), TraceEndpoint.PATH).statusCode()).isEqualTo(409);
        } finally {
            Trace.stop();
        }
        assertThat(get(server.port(), TraceEndpoint.PATH + "?seconds=0.05").statusCode()).isEqualTo(200);
    }

    @Test
    void bearerToken() {
        try (DebugServer secured = DebugServer.start(0, TraceEndpoint.defaults().withBearerToken("s3cret"))) {
            String url = TraceEndpoint.PATH + "?seconds=0.05";
            HttpResponse<byte[]> none = get(secured.port(), url);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("www-authenticate").orElseThrow()).startsWith("Bearer");
            assertThat(send(request(secured.port(), url).header("Authorization", "Bearer wrong").build())
                    .statusCode()).isEqualTo(401);
            assertThat(send(request(secured.port(), url).header("Authorization", "Basic czNjcmV0").build())
                    .statusCode()).isEqualTo(401);
            assertThat(Trace.isEnabled()).isFalse();
            HttpResponse<byte[]> ok = send(request(secured.port(), url).header("Authorization", "Bearer s3cret").build());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(model(ok.body()).complete()).isTrue();
        }
    }

    @Test
    void clientDisconnectStopsTheTraceAndTheNextRequestWorks() throws Exception {
        // A window of an hour: if tracing stops within Await's deadline, the disconnect stopped it.
        try (DebugServer patient = DebugServer.start(0, TraceEndpoint.defaults().withMaxSeconds(3600));
             Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", patient.port()), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + TraceEndpoint.PATH + "?seconds=3600 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                assertThat(r).isPositive();
                n += r;
            }
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            awaitTracing(true);
            try (Task t = Trace.newTask("during")) {
                t.log("x", "y");
            }
            socket.close(); // the client goes away an hour early
            awaitTracing(false);
        }
        HttpResponse<byte[]> next = get(server.port(), TraceEndpoint.PATH + "?seconds=0.05");
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(model(next.body()).complete()).isTrue();
    }

    @Test
    void slowClientGetsTheWholeTrace() throws Exception {
        // Far more than the channel's write buffer: the writer thread must wait for the client, not queue it all.
        CompletableFuture<HttpResponse<InputStream>> pending = Endpoints.CLIENT.sendAsync(
                request(server.port(), TraceEndpoint.PATH + "?seconds=0.5").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        awaitTracing(true);
        int tasks = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < deadline && Trace.isEnabled()) {
            try (Task t = Trace.newTask("bulk")) {
                t.log("payload", "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz");
            }
            tasks++;
        }
        HttpResponse<InputStream> res = pending.get(20, TimeUnit.SECONDS);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (InputStream in = res.body()) {
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) > 0) {
                all.write(buf, 0, r);
                if (all.size() % (64 * 1024) < 8192) {
                    Thread.sleep(1); // read slowly
                }
            }
        }
        TraceModel trace = model(all.toByteArray());
        assertThat(trace.complete()).isTrue();
        long recorded = trace.tasks().stream().filter(t -> "bulk".equals(t.type())).count();
        assertThat(recorded + trace.dropped()).as("every task recorded or counted as dropped").isGreaterThan(0);
        assertThat(recorded).isLessThanOrEqualTo(tasks);
    }

    @Test
    void nonLoopbackAddressLogsAWarning() {
        Logger jul = Logger.getLogger(DebugServer.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try (DebugServer wide = DebugServer.start(new InetSocketAddress("0.0.0.0", 0), TraceEndpoint.defaults())) {
            assertThat(wide.port()).isPositive();
        } finally {
            jul.removeHandler(capture);
        }
        assertThat(records).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains("non-loopback").contains("without a bearer token");
        });
    }

    @Test
    void configurationFailsFast() {
        assertThatThrownBy(() -> TraceEndpoint.defaults().withMaxSeconds(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TraceEndpoint.defaults().withBearerToken(" x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TraceEndpoint.defaults().withBearerToken("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DebugServer.start(server.port())).isInstanceOf(java.io.UncheckedIOException.class);
    }
}
