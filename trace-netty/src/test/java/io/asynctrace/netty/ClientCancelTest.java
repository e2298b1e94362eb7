package io.asynctrace.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import io.asynctrace.Trace;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TraceModel;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * A traced client request cancelled before its response ends its {@code http.client}
 * span as {@code cancelled} and leaves nothing on the channel, and never ends another
 * request's span: 200 rounds over a pool of one connection, where each cancelled request
 * is followed by two concurrent ones, so that the second waits for the connection and
 * gets it while the first one's release is still being reported.
 */
class ClientCancelTest {
    static final int ROUNDS = 200;
    static DisposableServer server;
    static final Semaphore HUNG = new Semaphore(0);
    private ByteArrayOutputStream recording;

    @BeforeAll
    static void startServer() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r
                        .get("/hang", (req, res) -> {
                            HUNG.release(); // the request arrived: the client has sent it
                            return Mono.never();
                        })
                        .get("/echo", (req, res) -> res.sendString(Mono.just("ok")))
                        .get("/close", (req, res) -> {
                            res.withConnection(reactor.netty.Connection::dispose); // no answer at all
                            return Mono.never();
                        }))
                .bindNow();
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
    }

    @AfterEach
    void stopTracing() {
        Trace.stop();
    }

    @Test
    void aCancelledRequestEndsItsOwnSpanAsCancelledAndNoOtherOne() throws Exception {
        ConnectionProvider one = ConnectionProvider.builder("one").maxConnections(1)
                .pendingAcquireMaxCount(10).build();
        Queue<Channel> channels = new ConcurrentLinkedQueue<>();
        try {
            HttpClient client = TracedHttp.client(HttpClient.create(one).baseUrl("http://127.0.0.1:" + server.port()))
                    .doOnConnected(conn -> channels.add(conn.channel()));
            recording = new ByteArrayOutputStream();
            Trace.start(recording);
            Task caller = Trace.newTask("caller");
            for (int round = 0; round < ROUNDS; round++) {
                Disposable hanging = client.get().uri("/hang").responseContent().aggregate().asString()
                        .contextWrite(ctx -> ctx.put(TaskThreadLocalAccessor.KEY, caller))
                        .subscribe();
                assertThat(HUNG.tryAcquire(10, TimeUnit.SECONDS)).as("round %d: request sent", round).isTrue();
                hanging.dispose();
                List<String> answers = Mono.zip(echo(client, caller), echo(client, caller), (a, b) -> List.of(a, b))
                        .block(Duration.ofSeconds(10));
                assertThat(answers).containsExactly("ok", "ok");
            }
            caller.end();
            // The cancelled connections' closes are handled on their event loops: wait until the trace has them.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (endedSpans() < 3 * ROUNDS && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            TraceModel trace = stop();
            List<SpanInfo> spans = trace.spans().stream().filter(s -> s.taskId() == caller.id())
                    .collect(Collectors.toList());
            assertThat(spans).hasSize(3 * ROUNDS).allSatisfy(s -> assertThat(s.hasEnd()).isTrue());
            List<SpanInfo> cancelled = spans.stream().filter(s -> "cancelled".equals(s.attributes().get("outcome")))
                    .collect(Collectors.toList());
            assertThat(cancelled).hasSize(ROUNDS).allSatisfy(s -> {
                assertThat(s.attributes().get("http.target")).endsWith("/hang");
                assertThat(s.attributes()).doesNotContainKey("http.status");
            });
            assertThat(spans).filteredOn(s -> s.attributes().get("http.target").endsWith("/echo"))
                    .hasSize(2 * ROUNDS)
                    .allSatisfy(s -> {
                        assertThat(s.attributes()).containsEntry("http.status", "200").doesNotContainKey("outcome");
                        assertThat(s.end()).isGreaterThanOrEqualTo(s.start());
                    });
            assertThat(channels).isNotEmpty().allSatisfy(ch -> assertThat(ch.attr(ClientTracing.CALL).get())
                    .as("nothing left on " + ch).isNull());
        } finally {
            one.disposeLater().block(Duration.ofSeconds(10));
            HUNG.drainPermits();
        }
    }

    /** Cancels at any moment: before the connection, while connecting, after sending; no span is ever left open. */
    @Test
    void cancellingAtAnyMomentLeavesNoSpanOpen() throws Exception {
        ConnectionProvider one = ConnectionProvider.builder("one-any").maxConnections(1)
                .pendingAcquireMaxCount(10).build();
        Queue<Channel> channels = new ConcurrentLinkedQueue<>();
        try {
            HttpClient client = TracedHttp.client(HttpClient.create(one).baseUrl("http://127.0.0.1:" + server.port()))
                    .doOnConnected(conn -> channels.add(conn.channel()));
            recording = new ByteArrayOutputStream();
            Trace.start(recording);
            Task caller = Trace.newTask("caller");
            for (int round = 0; round < ROUNDS; round++) {
                Disposable hanging = client.get().uri("/hang").responseContent().aggregate().asString()
                        .contextWrite(ctx -> ctx.put(TaskThreadLocalAccessor.KEY, caller))
                        .subscribe();
                long spin = System.nanoTime() + (round % 10) * 100_000L; // 0 to 0.9 ms
                while (System.nanoTime() < spin) {
                    Thread.onSpinWait();
                }
                hanging.dispose();
                assertThat(echo(client, caller).block(Duration.ofSeconds(10))).isEqualTo("ok");
            }
            caller.end();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (openSpans() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            TraceModel trace = stop();
            List<SpanInfo> spans = trace.spans().stream().filter(s -> s.taskId() == caller.id())
                    .collect(Collectors.toList());
            assertThat(spans).allSatisfy(s -> assertThat(s.hasEnd()).as("ended: " + s).isTrue());
            assertThat(spans).filteredOn(s -> s.attributes().get("http.target").endsWith("/echo"))
                    .hasSize(ROUNDS)
                    .allSatisfy(s -> assertThat(s.attributes()).containsEntry("http.status", "200")
                            .doesNotContainKey("outcome"));
            assertThat(spans).filteredOn(s -> s.attributes().get("http.target").endsWith("/hang"))
                    .allSatisfy(s -> assertThat(s.attributes()).containsEntry("outcome", "cancelled"));
            assertThat(channels).allSatisfy(ch -> assertThat(ch.attr(ClientTracing.CALL).get())
                    .as("nothing left on " + ch).isNull());
        } finally {
            one.disposeLater().block(Duration.ofSeconds(10));
            HUNG.drainPermits();
        }
    }

    private long openSpans() throws Exception {
        Trace.flush();
        TraceModel sofar = TraceModel.read(new java.io.ByteArrayInputStream(recording.toByteArray()));
        return sofar.spans().stream().filter(s -> !s.hasEnd()).count();
    }

    /** Not a cancel: the server closed the connection before answering; the span says which error. */
    @Test
    void aConnectionClosedBeforeTheAnswerEndsTheSpanWithTheError() throws Exception {
        HttpClient client = TracedHttp.client(HttpClient.newConnection().baseUrl("http://127.0.0.1:" + server.port()));
        recording = new ByteArrayOutputStream();
        Trace.start(recording);
        Task caller = Trace.newTask("caller");
        Throwable failure = client.get().uri("/close").responseContent().aggregate().asString()
                .contextWrite(ctx -> ctx.put(TaskThreadLocalAccessor.KEY, caller))
                .map(body -> (Throwable) null)
                .onErrorResume(e -> Mono.just(e))
                .block(Duration.ofSeconds(10));
        assertThat(failure).isNotNull();
        caller.end();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (endedSpans() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        TraceModel trace = stop();
        assertThat(trace.spans()).filteredOn(s -> s.taskId() == caller.id()).singleElement().satisfies(s -> {
            assertThat(s.hasEnd()).isTrue();
            assertThat(s.attributes()).containsEntry("error", failure.getClass().getName())
                    .doesNotContainKey("outcome").doesNotContainKey("http.status");
        });
    }

    private static Mono<String> echo(HttpClient client, Task caller) {
        return client.get().uri("/echo").responseContent().aggregate().asString()
                .contextWrite(ctx -> ctx.put(TaskThreadLocalAccessor.KEY, caller));
    }

    private long endedSpans() throws Exception {
        Trace.flush();
        TraceModel sofar = TraceModel.read(new java.io.ByteArrayInputStream(recording.toByteArray()));
        return sofar.spans().stream().filter(SpanInfo::hasEnd).count();
    }

    private TraceModel stop() {
        assertThat(Trace.stop().failure()).isEmpty();
        TraceModel model = Endpoints.model(recording.toByteArray());
        assertThat(model.complete()).isTrue();
        assertThat(model.dropped()).isZero();
        return model;
    }
}
