package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.ParallelFlux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

@ExtendWith(NoLeftovers.class)
class TaskOperatorTest {

    @AfterEach
    void tearDown() {
        Trace.stop();
    }

    @Test
    void monoAndFluxTransformBothAcceptTheSameFunctionsAndKeepTheirType() {
        Mono<Integer> m = Mono.just(1).transform(Trace.task("m")).transform(Trace.span("s"));
        Flux<Integer> f = Flux.just(1, 2).transform(Trace.task("f")).transform(Trace.span("s"));
        Function<Flux<Integer>, Flux<Integer>> reused = Trace.task("reused");
        assertThat(Flux.just(3).transform(reused).transform(reused).collectList().block()).containsExactly(3);
        StepVerifier.create(m).expectNext(1).verifyComplete();
        StepVerifier.create(f).expectNext(1, 2).verifyComplete();
    }

    @Test
    void theTaskIsInTheContextUnderTheDocumentedKey() {
        Recording rec = Recording.start();
        AtomicReference<Task> seen = new AtomicReference<>();
        Mono<Integer> m = Mono.deferContextual(ctx -> {
            seen.set(Trace.currentTask(ctx));
            return Mono.just(1);
        }).transform(Trace.task("m"));
        StepVerifier.create(Flux.range(0, 3).transform(Trace.task("f")))
                .expectSubscription()
                .expectAccessibleContext().hasKey(Trace.CONTEXT_KEY).then()
                .expectNext(0, 1, 2)
                .verifyComplete();
        StepVerifier.create(m).expectNext(1).verifyComplete();
        assertThat(Trace.CONTEXT_KEY).isEqualTo(io.asynctrace.TaskThreadLocalAccessor.KEY);
        TraceModel model = rec.stop();
        assertThat(seen.get()).isNotNull();
        assertThat(seen.get().type()).isEqualTo("m");
        assertThat(TraceModels.task(model, seen.get()).outcome()).isEqualTo("ok");
        assertThat(TraceModels.onlyTask(model, "f").complete()).isTrue();
    }

    @Test
    void theContextMadeWhenFirstAskedHoldsTheTaskAndTheDownstreamEntries() {
        Recording rec = Recording.start();
        List<ContextView> seen = new CopyOnWriteArrayList<>();
        // Asked for on two other threads (publishOn, then the inner of a flatMap on another scheduler) and on the subscriber's.
        Mono<Integer> m = Mono.deferContextual(ctx -> {
            seen.add(ctx);
            return Mono.just(1);
        }).publishOn(Schedulers.parallel())
                .flatMap(v -> Mono.deferContextual(ctx -> {
                    seen.add(ctx);
                    return Mono.just(v + 1);
                }).subscribeOn(Schedulers.boundedElastic()))
                .transform(Trace.task("lazy"))
                .contextWrite(Context.of("downstream", "kept"));
        assertThat(m.block(Duration.ofSeconds(10))).isEqualTo(2);
        TraceModel model = rec.stop();
        long task = TraceModels.onlyTask(model, "lazy").id();
        assertThat(seen).hasSize(2);
        for (ContextView ctx : seen) {
            assertThat(Trace.currentTask(ctx)).isNotNull();
            assertThat(Trace.currentTask(ctx).id()).isEqualTo(task);
            assertThat(ctx.<String>get("downstream")).isEqualTo("kept");
        }
    }

    @Test
    void oneTaskPerSubscription() {
        Recording rec = Recording.start();
        Mono<Integer> m = Mono.fromCallable(() -> 1).transform(Trace.task("per-sub"));
        for (int i = 0; i < 5; i++) {
            assertThat(m.block()).isEqualTo(1);
        }
        TraceModel model = rec.stop();
        assertThat(TraceModels.tasks(model, "per-sub")).hasSize(5).allMatch(TaskInfo::complete);
    }

    @Test
    void tracingOffCreatesNoTaskAndPutsNothingInTheContext() {
        AtomicReference<Object> seen = new AtomicReference<>("unset");
        Mono<Integer> m = Mono.deferContextual(ctx -> {
            seen.set(ctx.getOrDefault(Trace.CONTEXT_KEY, null));
            return Mono.just(1);
        }).transform(Trace.span("s")).transform(Trace.task("off"));
        StepVerifier.create(m).expectNext(1).verifyComplete();
        assertThat(seen.get()).isNull();
    }

    @Test
    void aPipelineAssembledWhileOffIsTracedWhenSubscribedWhileOn() {
        Mono<Integer> m = Mono.just(1).transform(Trace.span("s")).transform(Trace.task("early"));
        Flux<Integer> f = Flux.just(1).transform(Trace.task("early-flux"));
        m.block();
        Recording rec = Recording.start();
        m.block();
        f.blockLast();
        TraceModel model = rec.stop();
        f.blockLast();
        assertThat(TraceModels.onlyTask(model, "early").complete()).isTrue();
        assertThat(TraceModels.onlySpan(model, "s").taskId()).isEqualTo(TraceModels.onlyTask(model, "early").id());
        assertThat(TraceModels.onlyTask(model, "early-flux").complete()).isTrue();
    }

    @Test
    void nestedTasksTakeTheirParentFromTheContext() {
        Recording rec = Recording.start();
        Flux<Integer> f = Flux.range(0, 3)
                .flatMap(i -> Mono.just(i).transform(Trace.task("inner")).subscribeOn(Schedulers.parallel()))
                .transform(Trace.task("outer"));
        StepVerifier.create(f).expectNextCount(3).verifyComplete();
        StepVerifier.create(Mono.just(1).transform(Trace.task("a")).transform(Trace.task("b")))
                .expectNext(1).verifyComplete();
        TraceModel model = rec.stop();
        TaskInfo outer = TraceModels.onlyTask(model, "outer");
        assertThat(outer.parentId()).isZero();
        assertThat(TraceModels.tasks(model, "inner")).hasSize(3)
                .allSatisfy(t -> assertThat(t.parentId()).isEqualTo(outer.id()))
                .allSatisfy(t -> assertThat(t.end()).isLessThanOrEqualTo(outer.end()));
        assertThat(TraceModels.onlyTask(model, "a").parentId()).isEqualTo(TraceModels.onlyTask(model, "b").id());
    }

    @Test
    void withoutATaskInTheContextTheParentIsTheSubscribingThreadsCurrentTask() {
        Recording rec = Recording.start();
        Task request = Trace.newTask("request");
        try (Scope s = request.makeCurrent()) {
            StepVerifier.create(Mono.just(1).transform(Trace.task("child"))).expectNext(1).verifyComplete();
        }
        request.end();
        TraceModel model = rec.stop();
        assertThat(TraceModels.onlyTask(model, "child").parentId()).isEqualTo(request.id());
        assertThat(Trace.currentTask()).isNull();
    }

    @Test
    void aMonoTaskEndsAtItsValueAFluxTaskAtCompletion() {
        Recording rec = Recording.start();
        AtomicReference<Task> monoTask = new AtomicReference<>();
        AtomicReference<Task> fluxTask = new AtomicReference<>();
        AtomicBoolean monoEndedAtValue = new AtomicBoolean();
        AtomicBoolean fluxEndedAtValue = new AtomicBoolean(true);
        Mono.deferContextual(ctx -> {
            monoTask.set(Trace.currentTask(ctx));
            return Mono.just(1);
        }).transform(Trace.task("mono"))
                .doOnNext(v -> monoEndedAtValue.set(monoTask.get().isEnded()))
                .block();
        Flux.deferContextual(ctx -> {
            fluxTask.set(Trace.currentTask(ctx));
            return Flux.just(1);
        }).transform(Trace.task("flux"))
                .doOnNext(v -> fluxEndedAtValue.set(fluxTask.get().isEnded()))
                .blockLast();
        rec.stop();
        assertThat(monoEndedAtValue).isTrue();
        assertThat(fluxEndedAtValue).isFalse();
        assertThat(fluxTask.get().isEnded()).isTrue();
    }

    @Test
    void errorsEndTheTaskWithTheExceptionClass() {
        Recording rec = Recording.start();
        StepVerifier.create(Mono.error(new IllegalStateException("boom")).transform(Trace.task("mono-error")))
                .verifyError(IllegalStateException.class);
        StepVerifier.create(Flux.range(0, 10)
                        .publishOn(Schedulers.parallel())
                        .map(i -> {
                            if (i == 5) {
                                throw new ArithmeticException("five");
                            }
                            return i;
                        })
                        .transform(Trace.task("flux-error")))
                .expectNextCount(5)
                .verifyError(ArithmeticException.class);
        TraceModel model = rec.stop();
        assertThat(TraceModels.onlyTask(model, "mono-error").outcome()).isEqualTo("java.lang.IllegalStateException");
        assertThat(TraceModels.onlyTask(model, "flux-error").outcome()).isEqualTo("java.lang.ArithmeticException");
    }

    @Test
    void takeOneCancelsTheUpstreamTask() {
        Recording rec = Recording.start();
        StepVerifier.create(Flux.range(0, 1_000).transform(Trace.task("source")).take(1).transform(Trace.task("taker")))
                .expectNext(0)
                .verifyComplete();
        TraceModel model = rec.stop();
        assertThat(TraceModels.onlyTask(model, "source").outcome()).isEqualTo("cancelled");
        assertThat(TraceModels.onlyTask(model, "taker").outcome()).isEqualTo("ok");
        assertThat(TraceModels.onlyTask(model, "source").parentId()).isEqualTo(TraceModels.onlyTask(model, "taker").id());
    }

    @Test
    void timeoutCancelsTheSlowTaskAndFailsTheCaller() {
        Recording rec = Recording.start();
        StepVerifier.withVirtualTime(() -> Mono.never().transform(Trace.task("slow"))
                        .timeout(Duration.ofSeconds(5))
                        .transform(Trace.task("caller")))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .verifyError(TimeoutException.class);
        TraceModel model = rec.stop();
        assertThat(TraceModels.onlyTask(model, "slow").outcome()).isEqualTo("cancelled");
        assertThat(TraceModels.onlyTask(model, "caller").outcome()).isEqualTo("java.util.concurrent.TimeoutException");
    }

    @Test
    void anInfiniteFluxTaskEndsWhenCancelled() {
        Recording rec = Recording.start();
        StepVerifier.withVirtualTime(() -> Flux.interval(Duration.ofSeconds(1)).transform(Trace.task("ticks")))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(3))
                .expectNext(0L, 1L, 2L)
                .thenCancel()
                .verify();
        StepVerifier.create(Flux.generate(sink -> sink.next("x")).transform(Trace.task("generated")).take(10))
                .expectNextCount(10)
                .verifyComplete();
        TraceModel model = rec.stop();
        assertThat(TraceModels.onlyTask(model, "ticks").outcome()).isEqualTo("cancelled");
        assertThat(TraceModels.onlyTask(model, "generated").outcome()).isEqualTo("cancelled");
    }

    @Test
    void disposingASubscriptionCancelsTheTask() {
        Recording rec = Recording.start();
        CountDownLatch ticked = new CountDownLatch(1);
        var disposable = Flux.interval(Duration.ofMillis(1)).transform(Trace.task("disposed"))
                .subscribe(x -> ticked.countDown());
        Await.latch("the first tick", ticked); // subscribed, the task running
        disposable.dispose();
        TraceModel model = rec.stop();
        assertThat(TraceModels.onlyTask(model, "disposed").outcome()).isEqualTo("cancelled");
    }

    @Test
    void otherPublishersAreRejectedAtAssembly() {
        ParallelFlux<Integer> p = Flux.range(0, 4).parallel();
        assertThatThrownBy(() -> p.transform(Trace.task("p")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ParallelFlux");
        assertThat(Trace.task("t").toString()).isEqualTo("Trace.task(t)");
    }

    @Test
    void parallelRailsWorkThroughFlatMap() {
        Recording rec = Recording.start();
        List<Integer> got = Flux.range(0, 8).parallel(4).runOn(Schedulers.parallel())
                .flatMap(i -> Mono.just(i).transform(Trace.task("rail-item")))
                .sequential()
                .transform(Trace.task("all"))
                .collectList().block();
        TraceModel model = rec.stop();
        assertThat(got).hasSize(8);
        // Each rail's flatMap subscribes under the Context of the sequential subscriber: parent "all".
        long all = TraceModels.onlyTask(model, "all").id();
        assertThat(TraceModels.tasks(model, "rail-item")).hasSize(8)
                .allSatisfy(t -> assertThat(t.parentId()).isEqualTo(all));
    }
}
