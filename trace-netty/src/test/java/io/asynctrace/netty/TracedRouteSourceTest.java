package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static io.asynctrace.netty.Endpoints.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Trace;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.net.http.HttpResponse;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A traced route subscribes its handler's publisher itself (no {@code Mono.from}, so no hop
 * operator per request): whatever the handler returns (reactor-netty's outbound, a
 * {@code Mono}, a publisher of no library that completes on its own thread), the request
 * is one task, the handler's code that runs when reactor-netty subscribes and requests
 * logs on it, it ends with the status, and no thread keeps it. Reactor's automatic
 * propagation off (TracedHttpTest covers it on).
 */
@ExtendWith(NoLeftovers.class)
class TracedRouteSourceTest {

    @Test
    void everyKindOfHandlerPublisherIsTheRequestsTaskEndedWithItsStatus() throws Exception {
        ExecutorService completer = Executors.newSingleThreadExecutor(r -> new Thread(r, "foreign-completer"));
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r
                        .get("/outbound", TracedHttp.route("/outbound", (req, res) -> res.sendString(logged("outbound"))))
                        .get("/mono", TracedHttp.route("/mono", (req, res) -> res.sendString(logged("mono")).then()))
                        .get("/foreign", TracedHttp.route("/foreign", (req, res) ->
                                foreign(res.sendString(logged("foreign")), completer))))
                .bindNow();
        try {
            Recording rec = Recording.start();
            for (String path : new String[] {"outbound", "mono", "foreign"}) {
                HttpResponse<byte[]> res = get(server.port(), "/" + path);
                assertThat(res.statusCode()).as(path).isEqualTo(200);
                assertThat(text(res)).isEqualTo(path);
            }
            rec.awaitRecorded("every request's task ended", m -> m.tasks().size() == 3
                    && m.tasks().stream().allMatch(TaskInfo::hasEnd));
            TraceModel trace = rec.stop();
            for (String path : new String[] {"outbound", "mono", "foreign"}) {
                TaskInfo task = TraceModels.onlyTask(trace, "GET /" + path);
                assertThat(task.outcome()).as(path).isEqualTo("200");
                assertThat(trace.logs()).as(path).anySatisfy(log -> {
                    assertThat(log.category()).isEqualTo(path);
                    assertThat(log.taskId()).isEqualTo(task.id());
                    assertThat(trace.threads().get(log.thread())).startsWith("reactor-http-");
                });
            }
            assertThat(completer.submit(Trace::currentTask).get(10, TimeUnit.SECONDS))
                    .as("the thread that completed the foreign publisher keeps no task").isNull();
        } finally {
            server.disposeNow();
            completer.shutdownNow();
        }
    }

    @Test
    void signalsAfterTheFirstTerminalOneAreDroppedNotPassedOn() {
        ExecutorService completer = Executors.newSingleThreadExecutor(r -> new Thread(r, "foreign-completer"));
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r.get("/twice", TracedHttp.route("/twice", (req, res) -> subscriber ->
                        res.sendString(Mono.just("twice")).subscribe(new Subscriber<Void>() {
                            @Override
                            public void onSubscribe(Subscription s) {
                                subscriber.onSubscribe(s);
                            }

                            @Override
                            public void onNext(Void value) {
                            }

                            @Override
                            public void onError(Throwable t) {
                                subscriber.onError(t);
                            }

                            @Override
                            public void onComplete() {
                                completer.execute(() -> { // a publisher that breaks the spec: three terminal signals
                                    subscriber.onComplete();
                                    subscriber.onError(new IllegalStateException("an error after complete"));
                                    subscriber.onComplete();
                                });
                            }
                        }))))
                .bindNow();
        try {
            Recording rec = Recording.start();
            HttpResponse<byte[]> res = get(server.port(), "/twice");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(text(res)).isEqualTo("twice");
            rec.awaitRecorded("the request's task ended", m -> m.tasks().size() == 1 && m.tasks().stream().allMatch(TaskInfo::hasEnd));
            TaskInfo task = TraceModels.onlyTask(rec.stop(), "GET /twice");
            // The body is a value at hand: reactor-netty wrote the response inside subscribe and refused the
            // subscription (a cancel) before the late complete; the outcome is the status all the same.
            assertThat(task.outcome()).isEqualTo("200");
            assertThat(task.attributes()).as("no error recorded from a signal after the first terminal one")
                    .doesNotContainKey("error");
        } finally {
            server.disposeNow();
            completer.shutdownNow();
        }
    }

    /** The body, with a log on the current task where reactor-netty requests it (its event loop). */
    private static Mono<String> logged(String body) {
        return Mono.just(body).map(b -> {
            Trace.log(b, "at the request");
            return b;
        });
    }

    /** A publisher of no library: relays {@code source}, its terminal signal from {@code executor}'s thread. */
    private static Publisher<Void> foreign(Publisher<Void> source, Executor executor) {
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
                executor.execute(() -> subscriber.onError(t));
            }

            @Override
            public void onComplete() {
                executor.execute(subscriber::onComplete);
            }
        });
    }
}
