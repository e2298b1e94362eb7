package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Strict: around every piece of work any Reactor scheduler runs, the worker has no current
 * task before or after (see {@link LeakCheck}); after all the pipelines, probes on every
 * worker of two small pools find none either. Success, errors, cancellation and timeouts,
 * with and without {@link ReactorTracing#install()}.
 */
@ExtendWith(NoLeftovers.class)
class NoLeakTest {
    static Scheduler pool;
    static Scheduler elastic;

    @BeforeAll
    static void schedulers() {
        pool = Schedulers.newParallel("leak-pool", 2);
        elastic = Schedulers.newBoundedElastic(2, 10_000, "leak-elastic");
    }

    @AfterAll
    static void dispose() {
        pool.dispose();
        elastic.dispose();
    }

    @AfterEach
    void tearDown() {
        Trace.stop();
        ReactorTracing.uninstall();
    }

    static Mono<Integer> work(int i) {
        Mono<Integer> m = Mono.fromCallable(() -> {
            Trace.log("work", Integer.toString(i));
            if (i % 7 == 3) {
                throw new IllegalStateException("failed " + i);
            }
            return i;
        }).subscribeOn(elastic).publishOn(pool).transform(Trace.span("work"));
        if (i % 5 == 1) {
            m = m.then(Mono.<Integer>never()).timeout(Duration.ofMillis(5), pool);
        }
        return m.transform(Trace.task("item"));
    }

    @ParameterizedTest(name = "installed={0}")
    @ValueSource(booleans = {true, false})
    void pooledThreadsKeepNoTaskAfterAnySignal(boolean installed) throws InterruptedException {
        if (installed) {
            ReactorTracing.install();
        }
        Recording rec = Recording.start();
        try (LeakCheck leaks = LeakCheck.install()) {
            // Success, errors and timeouts.
            List<String> outcomes = Flux.range(0, 200)
                    .flatMap(i -> work(i).map(v -> "ok")
                            .onErrorResume(IllegalStateException.class, e -> Mono.just("error"))
                            .onErrorResume(TimeoutException.class, e -> Mono.just("timeout")))
                    .transform(Trace.task("batch"))
                    .collectList()
                    .block(Duration.ofSeconds(30));
            assertThat(outcomes).contains("ok", "error", "timeout").hasSize(200);

            // Cancellation: take(1) of an infinite source, and a disposed subscription.
            StepVerifier.create(Flux.interval(Duration.ofMillis(1), pool).transform(Trace.task("ticks")).take(3)
                            .publishOn(elastic).transform(Trace.task("taker")))
                    .expectNextCount(3)
                    .verifyComplete();
            CountDownLatch ticked = new CountDownLatch(5);
            Disposable d = Flux.interval(Duration.ofMillis(1), pool).publishOn(elastic)
                    .transform(Trace.span("endless")).doOnNext(x -> ticked.countDown())
                    .transform(Trace.task("endless")).subscribe();
            Await.latch("five ticks of the endless pipeline", ticked);
            d.dispose();
            // An error thrown on a worker inside a task.
            StepVerifier.create(Mono.just(1).publishOn(pool).map(x -> x / (x - 1)).transform(Trace.task("div")))
                    .verifyError(ArithmeticException.class);

            probeEveryWorker();
            assertThat(leaks.runs.get()).isGreaterThan(400);
            assertThat(leaks.leaks).isEmpty();
        }
        assertThat(Trace.currentTask()).isNull();
        rec.stop();
    }

    /** Runs many probes on each pool so every worker thread is checked after everything above. */
    private static void probeEveryWorker() {
        AtomicInteger dirty = new AtomicInteger();
        for (Scheduler s : List.of(pool, elastic, Schedulers.parallel(), Schedulers.boundedElastic())) {
            List<Integer> done = IntStream.range(0, 64).boxed()
                    .collect(Collectors.toList());
            Flux.fromIterable(done)
                    .flatMap(i -> Mono.fromRunnable(() -> {
                        if (Trace.currentTask() != null) {
                            dirty.incrementAndGet();
                        }
                    }).subscribeOn(s))
                    .blockLast(Duration.ofSeconds(10));
        }
        assertThat(dirty.get()).isZero();
    }
}
