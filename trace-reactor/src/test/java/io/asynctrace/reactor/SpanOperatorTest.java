package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

@ExtendWith(NoLeftovers.class)
class SpanOperatorTest {

    @AfterEach
    void tearDown() {
        Trace.stop();
    }

    @Test
    void aSpanRunsFromSubscribeToTerminalAndRecordsBothThreads() {
        Scheduler a = Schedulers.newSingle("span-a");
        Scheduler b = Schedulers.newSingle("span-b");
        try {
            Recording rec = Recording.start();
            Flux<Integer> f = Flux.range(0, 10)
                    .publishOn(b)
                    .transform(Trace.span("hop"))
                    .subscribeOn(a)
                    .transform(Trace.task("t"));
            StepVerifier.create(f).expectNextCount(10).verifyComplete();
            TraceModel m = rec.stop();
            SpanInfo s = TraceModels.onlySpan(m, "hop");
            assertThat(s.taskId()).isEqualTo(TraceModels.onlyTask(m, "t").id());
            // Reactor numbers single-scheduler threads from one JVM-wide counter: only the prefix is ours.
            assertThat(TraceModels.threadName(m, s.startThread())).matches("span-a-\\d+");
            assertThat(TraceModels.threadName(m, s.endThread())).matches("span-b-\\d+");
            assertThat(s.duration()).isNotNegative();
            assertThat(s.parentId()).as("detached: not nested under a thread's span").isZero();
            assertThat(s.attributes()).doesNotContainKey("outcome");
        } finally {
            a.dispose();
            b.dispose();
        }
    }

    @Test
    void aSpanUsesTheThreadsCurrentTaskWhenTheContextHasNone() {
        Recording rec = Recording.start();
        Task t = Trace.newTask("imperative");
        try (Scope s = t.makeCurrent()) {
            Mono.just(1).transform(Trace.span("inside")).block();
        }
        t.end();
        Mono.just(1).transform(Trace.span("no-task")).block();
        TraceModel m = rec.stop();
        assertThat(TraceModels.onlySpan(m, "inside").taskId()).isEqualTo(t.id());
        assertThat(TraceModels.spans(m, "no-task")).as("no task: a span of no task, as Go allows")
                .singleElement().satisfies(sp -> {
                    assertThat(sp.taskId()).isZero();
                    assertThat(sp.hasEnd()).isTrue();
                });
    }

    @Test
    void errorAndCancelAreRecordedAsTheSpansOutcome() {
        Recording rec = Recording.start();
        StepVerifier.create(Mono.error(new IllegalArgumentException()).transform(Trace.span("failing"))
                        .transform(Trace.task("t1")))
                .verifyError(IllegalArgumentException.class);
        StepVerifier.create(Flux.never().transform(Trace.span("hanging")).timeout(Duration.ofMillis(10))
                        .transform(Trace.task("t2")))
                .verifyError(java.util.concurrent.TimeoutException.class);
        TraceModel m = rec.stop();
        assertThat(TraceModels.onlySpan(m, "failing").attributes())
                .containsEntry("outcome", "java.lang.IllegalArgumentException");
        assertThat(TraceModels.onlySpan(m, "hanging").attributes()).containsEntry("outcome", "cancelled");
        assertThat(TraceModels.onlySpan(m, "hanging").hasEnd()).isTrue();
    }

    @Test
    void aMonoSpanEndsAtItsValueAFluxSpanAtCompletion() {
        Recording rec = Recording.start();
        Mono.just(1).transform(Trace.span("mono"))
                .doOnNext(v -> Trace.log("mark", "mono value"))
                .transform(Trace.task("t1"))
                .block();
        Flux.just(1).transform(Trace.span("flux"))
                .doOnNext(v -> Trace.log("mark", "flux value"))
                .transform(Trace.task("t2"))
                .blockLast();
        TraceModel m = rec.stop();
        long monoValue = m.logs().stream().filter(l -> l.message().equals("mono value")).findFirst().orElseThrow().time();
        long fluxValue = m.logs().stream().filter(l -> l.message().equals("flux value")).findFirst().orElseThrow().time();
        assertThat(TraceModels.onlySpan(m, "mono").end()).isLessThanOrEqualTo(monoValue);
        assertThat(TraceModels.onlySpan(m, "flux").end()).isGreaterThanOrEqualTo(fluxValue);
    }

    @Test
    void spansOfOneTaskInFlatMapAreAllAttributedToIt() {
        Recording rec = Recording.start();
        Flux.range(0, 50)
                .flatMap(i -> Mono.just(i).delayElement(Duration.ofMillis(1)).transform(Trace.span("item")))
                .transform(Trace.task("batch"))
                .blockLast();
        TraceModel m = rec.stop();
        long batch = TraceModels.onlyTask(m, "batch").id();
        assertThat(TraceModels.spans(m, "item")).hasSize(50).allSatisfy(s -> {
            assertThat(s.taskId()).isEqualTo(batch);
            assertThat(s.hasEnd()).isTrue();
        });
    }
}
