package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * One test per kind of hop: {@code ReactorTracing.install()} alone (no context-propagation
 * mode) makes the task current where each pipeline's code runs after the hop. Each test
 * runs {@value #TASKS} tasks at once, every one logging its own number and opening a span
 * named after it after the hop, then reads the trace back and checks that every log and
 * every span is on the task of that number, and (strict leak check) that no pooled thread
 * had a task before or after any piece of scheduled work.
 */
@ExtendWith(NoLeftovers.class)
class PropagationTest {
    static final int TASKS = 40;
    static Scheduler pool;
    static ExecutorService foreign;

    @BeforeAll
    static void schedulers() {
        pool = Schedulers.newParallel("hop-pool", 2);
        foreign = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "untraced-pool");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void dispose() {
        pool.dispose();
        foreign.shutdownNow();
    }

    @BeforeEach
    void install() {
        ReactorTracing.install();
    }

    @AfterEach
    void tearDown() {
        Trace.stop();
        ReactorTracing.uninstall();
        Hooks.disableAutomaticContextPropagation();
    }

    /** Logs the task's number and runs a span named after it: both must land on task {@code "case-" + i}. */
    static <T> T mark(int i, T value) {
        Trace.log("i", Integer.toString(i));
        return Trace.withSpan("s" + i, () -> value);
    }

    /**
     * Runs {@code pipeline(i)} as task {@code "case-" + i} for each i, all at once, and checks the trace.
     *
     * @param marksPerTask how many times each pipeline calls {@link #mark}
     */
    static TraceModel check(int marksPerTask, IntFunction<Mono<?>> pipeline) {
        Recording rec = Recording.start();
        try (LeakCheck leaks = LeakCheck.install()) {
            List<?> done = Flux.range(0, TASKS)
                    .flatMap(i -> pipeline.apply(i).map(v -> (Object) v).transform(Trace.task("case-" + i)), TASKS)
                    .collectList()
                    .block(Duration.ofSeconds(30));
            assertThat(done).hasSize(TASKS);
            assertThat(leaks.leaks).isEmpty();
        }
        assertThat(Trace.currentTask()).as("the test thread keeps no task").isNull();
        TraceModel m = rec.stop();
        Map<Long, TaskInfo> tasks = m.tasks().stream().collect(Collectors.toMap(TaskInfo::id, t -> t));
        assertThat(tasks.values()).hasSize(TASKS).allSatisfy(t -> {
            assertThat(t.type()).startsWith("case-");
            assertThat(t.complete()).isTrue();
        });
        assertThat(m.logs()).hasSize(TASKS * marksPerTask);
        for (LogInfo l : m.logs()) {
            TaskInfo t = tasks.get(l.taskId());
            assertThat(t).as("log " + l.message() + " on a task").isNotNull();
            assertThat(t.type()).as("log " + l.message()).isEqualTo("case-" + l.message());
        }
        assertThat(m.spans()).hasSize(TASKS * marksPerTask);
        for (SpanInfo s : m.spans()) {
            TaskInfo t = tasks.get(s.taskId());
            assertThat(t).as("span " + s.name() + " on a task").isNotNull();
            assertThat(t.type()).as("span " + s.name()).isEqualTo("case-" + s.name().substring(1));
            assertThat(s.hasEnd()).isTrue();
        }
        return m;
    }

    static long threadsNamed(TraceModel m, String prefix) {
        return m.logs().stream().map(l -> m.threads().get(l.thread())).filter(n -> n.startsWith(prefix)).count();
    }

    @Test
    void afterPublishOn() {
        TraceModel m = check(3, i -> Flux.range(0, 3).publishOn(pool).map(x -> mark(i, x)).then(Mono.just(i)));
        assertThat(threadsNamed(m, "hop-pool")).isEqualTo(TASKS * 3);
    }

    @Test
    void afterSubscribeOn() {
        TraceModel m = check(2, i -> Mono.fromCallable(() -> mark(i, i)).subscribeOn(Schedulers.boundedElastic())
                .map(x -> mark(i, x)));
        assertThat(threadsNamed(m, "boundedElastic")).isEqualTo(TASKS * 2);
    }

    @Test
    void inFlatMapInnersOnOtherSchedulers() {
        TraceModel m = check(4, i -> Flux.range(0, 2)
                .flatMap(j -> Mono.fromCallable(() -> mark(i, j)).subscribeOn(j == 0 ? pool : Schedulers.parallel())
                        .publishOn(Schedulers.boundedElastic())
                        .map(x -> mark(i, x)))
                .then(Mono.just(i)));
        assertThat(threadsNamed(m, "boundedElastic")).isEqualTo(TASKS * 2);
    }

    @Test
    void afterMonoDelayAndDelayElements() {
        TraceModel m = check(3, i -> Mono.delay(Duration.ofMillis(1 + i % 3)).map(x -> mark(i, x))
                .thenMany(Flux.range(0, 2).delayElements(Duration.ofMillis(1)).map(x -> mark(i, x)))
                .then(Mono.just(i)));
        assertThat(threadsNamed(m, "parallel")).isEqualTo(TASKS * 3);
    }

    @Test
    void afterATimeout() {
        TraceModel m = check(2, i -> Mono.never()
                .timeout(Duration.ofMillis(2), pool)
                .onErrorResume(TimeoutException.class, e -> Mono.just(mark(i, i)))
                .then(Mono.<Integer>never().timeout(Duration.ofMillis(2), Mono.fromCallable(() -> mark(i, i)))));
        assertThat(threadsNamed(m, "hop-pool")).isEqualTo(TASKS);
        assertThat(threadsNamed(m, "parallel")).isEqualTo(TASKS);
    }

    @Test
    void onValuesOfAFutureCompletedByAnUntracedPool() {
        TraceModel m = check(2, i -> {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            foreign.execute(() -> {
                awaitQuietly(() -> f.getNumberOfDependents() > 0); // completed after the subscription: a real hop
                f.complete(i);
            });
            return Mono.fromFuture(f).map(x -> mark(i, x)).flatMap(x -> Mono.fromFuture(
                    CompletableFuture.supplyAsync(() -> x, foreign)).map(y -> mark(i, y)));
        });
        assertThat(threadsNamed(m, "untraced-pool")).isEqualTo(TASKS * 2);
    }

    /**
     * A sink's {@code asMono()} skips Reactor's assembly hooks, so the hop is right after
     * its first operator (docs/REACTOR.md, "Limits"): code from the second operator on
     * runs on the task.
     */
    @Test
    void onValuesOfASinkEmittedByAnotherThreadAfterItsFirstOperator() {
        TraceModel m = check(1, i -> {
            Sinks.One<Integer> sink = Sinks.one();
            foreign.execute(() -> {
                awaitQuietly(() -> sink.currentSubscriberCount() > 0);
                sink.tryEmitValue(i);
            });
            return sink.asMono().filter(x -> true).map(x -> mark(i, x));
        });
        assertThat(threadsNamed(m, "untraced-pool")).isEqualTo(TASKS);
    }

    /**
     * A publisher of no Reactor type (here a bare {@code Publisher} lambda) that emits on a
     * thread of its own: {@code Mono.from} marks it, and what follows runs on the task.
     */
    @Test
    void onValuesOfAForeignPublisherEmittingOnItsOwnThread() {
        TraceModel m = check(1, i -> {
            org.reactivestreams.Publisher<Integer> foreignSource = s -> s.onSubscribe(new org.reactivestreams.Subscription() {
                private boolean sent;

                @Override
                public void request(long n) {
                    if (!sent) {
                        sent = true;
                        foreign.execute(() -> {
                            s.onNext(i);
                            s.onComplete();
                        });
                    }
                }

                @Override
                public void cancel() {
                }
            });
            return Mono.from(foreignSource).map(x -> mark(i, x));
        });
        assertThat(threadsNamed(m, "untraced-pool")).isEqualTo(TASKS);
    }

    @Test
    void inReactorNettyClientResponseHandling() {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> res.sendString(Mono.just("n" + req.uri().substring(1))))
                .bindNow();
        try {
            HttpClient client = HttpClient.create().baseUrl("http://127.0.0.1:" + server.port());
            TraceModel m = check(2, i -> client.get().uri("/" + i).responseContent().aggregate().asString()
                    .map(body -> mark(i, body))
                    .flatMap(body -> client.get().uri("/" + i)
                            .responseSingle((res, content) -> content.asString().map(b -> mark(i, b)))));
            assertThat(threadsNamed(m, "reactor-http")).isEqualTo(TASKS * 2);
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void withAutomaticPropagationTurnedOnByAnotherLibrary() {
        Hooks.enableAutomaticContextPropagation();
        check(4, i -> Mono.fromCallable(() -> mark(i, i)).subscribeOn(Schedulers.boundedElastic())
                .publishOn(pool).map(x -> mark(i, x))
                .delayElement(Duration.ofMillis(1)).map(x -> mark(i, x))
                .flatMap(x -> Mono.fromFuture(CompletableFuture.supplyAsync(() -> x, foreign)))
                .map(x -> mark(i, x)));
    }

    @Test
    void downstreamOfATaskTheOuterTaskIsCurrentAgain() {
        Recording rec = Recording.start();
        try (LeakCheck leaks = LeakCheck.install()) {
            Mono.delay(Duration.ofMillis(1)).map(x -> mark(1, x)).transform(Trace.task("case-1"))
                    .publishOn(pool)
                    .map(x -> mark(2, x))
                    .transform(Trace.task("case-2"))
                    .map(x -> mark(3, x))
                    .block(Duration.ofSeconds(10));
            assertThat(leaks.leaks).isEmpty();
        }
        TraceModel m = rec.stop();
        Map<String, Long> taskOfLog = m.logs().stream().collect(Collectors.toMap(LogInfo::message, LogInfo::taskId));
        assertThat(taskOfLog.get("1")).isEqualTo(TraceModels.onlyTask(m, "case-1").id());
        assertThat(taskOfLog.get("2")).isEqualTo(TraceModels.onlyTask(m, "case-2").id());
        assertThat(taskOfLog.get("3")).as("outside every task").isZero();
        assertThat(TraceModels.onlyTask(m, "case-1").parentId()).isEqualTo(TraceModels.onlyTask(m, "case-2").id());
    }

    /** Waits (at most 10 s) until {@code condition} holds; the test's own checks then say what went wrong. */
    private static void awaitQuietly(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
