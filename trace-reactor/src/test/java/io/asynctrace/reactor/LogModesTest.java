package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.observability.SignalListener;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/** Which Reactor mode lets {@code Trace.log} find the task of the Context: the table of docs/REACTOR.md. */
@ExtendWith(NoLeftovers.class)
class LogModesTest {

    @AfterEach
    void tearDown() {
        Trace.stop();
        ReactorTracing.uninstall();
        Hooks.disableAutomaticContextPropagation();
    }

    /** Every kind of lambda, each logging its own category, inside one task. */
    static Flux<Integer> pipeline() {
        return Flux.range(0, 1)
                .map(i -> { Trace.log("map", "x"); return i; })
                .filter(i -> { Trace.log("filter", "x"); return true; })
                .flatMap(i -> { Trace.log("flatMap", "x"); return Mono.just(i); })
                .handle((i, sink) -> { Trace.log("handle", "x"); sink.next(i); })
                .cast(Integer.class)
                .concatWith(Mono.fromCallable(() -> { Trace.log("fromCallable", "x"); return 1; })
                        .subscribeOn(Schedulers.boundedElastic()))
                .concatWith(Flux.<Integer>generate(sink -> { Trace.log("generate", "x"); sink.next(2); sink.complete(); })
                        .subscribeOn(Schedulers.parallel()))
                .publishOn(Schedulers.single())
                .map(i -> { Trace.log("afterPublishOn", "x"); return i; })
                .concatWith(Mono.deferContextual(ctx -> { Trace.log(ctx, "deferContextual", "x"); return Mono.just(3); }))
                .tap(() -> new LoggingListener())
                .transform(Trace.task("t"));
    }

    /** Logs from doOnNext: the tap operator restores thread-locals around its listener in the limited mode too. */
    static final class LoggingListener implements SignalListener<Integer> {
        boolean logged;

        @Override
        public void doOnNext(Integer value) {
            if (!logged) {
                logged = true;
                Trace.log("tap", "x");
            }
        }

        @Override
        public void doFirst() {
        }

        @Override
        public void doFinally(SignalType terminationType) {
        }

        @Override
        public void doOnSubscription() {
        }

        @Override
        public void doOnFusion(int negotiatedFusion) {
        }

        @Override
        public void doOnRequest(long requested) {
        }

        @Override
        public void doOnCancel() {
        }

        @Override
        public void doOnComplete() {
        }

        @Override
        public void doOnError(Throwable error) {
        }

        @Override
        public void doAfterComplete() {
        }

        @Override
        public void doAfterError(Throwable error) {
        }

        @Override
        public void doOnMalformedOnNext(Integer value) {
        }

        @Override
        public void doOnMalformedOnError(Throwable error) {
        }

        @Override
        public void doOnMalformedOnComplete() {
        }

        @Override
        public void handleListenerError(Throwable listenerError) {
        }
    }

    static Map<String, Boolean> onTask(TraceModel m) {
        long task = TraceModels.onlyTask(m, "t").id();
        return m.logs().stream().collect(Collectors.toMap(LogInfo::category, l -> l.taskId() == task, (a, b) -> a && b));
    }

    static final List<String> ALL = List.of("map", "filter", "flatMap", "handle", "fromCallable", "generate",
            "afterPublishOn", "deferContextual", "tap");

    @Test
    void installedTheTaskIsCurrentInEveryLambdaOnEveryScheduler() {
        ReactorTracing.install();
        assertThat(Hooks.isAutomaticContextPropagationEnabled()).as("no propagation mode turned on").isFalse();
        Recording rec = Recording.start();
        assertThat(pipeline().collectList().block()).hasSize(4);
        TraceModel m = rec.stop();
        Map<String, Boolean> onTask = onTask(m);
        assertThat(onTask).containsOnlyKeys(ALL);
        assertThat(onTask.values()).as(onTask.toString()).allMatch(b -> b);
        assertThat(m.jobs()).as("the scheduler hops are jobs of the task").isNotEmpty();
    }

    @Test
    void automaticPropagationTurnedOnByAnotherLibraryStaysRight() {
        Hooks.enableAutomaticContextPropagation();
        ReactorTracing.install();
        Recording rec = Recording.start();
        assertThat(pipeline().collectList().block()).hasSize(4);
        TraceModel m = rec.stop();
        assertThat(onTask(m)).containsOnlyKeys(ALL);
        assertThat(onTask(m).values()).as(onTask(m).toString()).allMatch(b -> b);
    }

    @Test
    void automaticPropagationAloneIsEnoughForLogs() {
        Hooks.enableAutomaticContextPropagation();
        Recording rec = Recording.start();
        assertThat(pipeline().collectList().block()).hasSize(4);
        TraceModel m = rec.stop();
        assertThat(onTask(m).values()).as(onTask(m).toString()).allMatch(b -> b);
        assertThat(m.jobs()).as("jobs need ReactorTracing.install()").isEmpty();
    }

    @Test
    void notInstalledTheTaskIsCurrentOnTheSubscribingThreadOnly() {
        assertThat(Hooks.isAutomaticContextPropagationEnabled()).isFalse();
        Recording rec = Recording.start();
        assertThat(pipeline().collectList().block()).hasSize(4);
        Map<String, Boolean> onTask = onTask(rec.stop());
        assertThat(onTask).containsEntry("map", true).containsEntry("filter", true).containsEntry("flatMap", true)
                .containsEntry("handle", true).containsEntry("tap", true).containsEntry("deferContextual", true)
                .containsEntry("fromCallable", false).containsEntry("generate", false)
                .containsEntry("afterPublishOn", false);
    }

    @Test
    void logWithAContextViewWithoutATaskFallsBackToTheThreadsTask() {
        Recording rec = Recording.start();
        Trace.log(Context.empty(), "empty", "x");
        Trace.log(null, "null", "x");
        var task = Trace.newTask("imperative");
        try (var s = task.makeCurrent()) {
            Trace.log(Context.of("other", 1), "current", "x");
        }
        task.end();
        TraceModel m = rec.stop();
        Map<String, Long> byCategory = m.logs().stream().collect(Collectors.toMap(LogInfo::category, LogInfo::taskId));
        assertThat(byCategory).containsEntry("empty", 0L).containsEntry("null", 0L).containsEntry("current", task.id());
        assertThat(Trace.currentTask(Context.of(Trace.CONTEXT_KEY, "not a task"))).isNull();
    }

    @Test
    void logsAreFreeAndSilentWhileTracingIsOff() throws Throwable {
        assertThat(Trace.isEnabled()).isFalse();
        Trace.log(Context.of(Trace.CONTEXT_KEY, Trace.newTask("off")), "c", "while off");
        LoggingListener listener = new LoggingListener();
        listener.doOnNext(1); // logs "tap" while off: no exception, nothing kept
        assertThat(listener.logged).isTrue();
        assertThat(pipeline().collectList().block()).as("the pipeline works while off").hasSize(4);
        Recording rec = Recording.start();
        Trace.log("after", "on");
        TraceModel m = rec.stop();
        assertThat(m.logs()).as("nothing logged while off reaches the next recording")
                .extracting(LogInfo::category).containsExactly("after");
        assertThat(m.tasks()).isEmpty();
    }
}
