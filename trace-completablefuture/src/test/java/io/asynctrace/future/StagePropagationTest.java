package io.asynctrace.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every dependent-stage method runs its function with the task current when the stage
 * was created, even when the source is completed by a thread running another task;
 * that thread gets its own task back afterwards.
 */
@ExtendWith(NoLeftovers.class)
class StagePropagationTest {
    private static final ExecutorService PLAIN = Executors.newFixedThreadPool(2);
    private static final ExecutorService TRACED = TracedExecutors.wrap(Executors.newFixedThreadPool(2));

    @AfterEach
    void stop() {
        Trace.stop();
    }

    @AfterAll
    static void shutdown() throws InterruptedException {
        PLAIN.shutdown();
        TRACED.shutdown();
        assertThat(PLAIN.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(TRACED.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Builds a dependent of {@code src} (and maybe {@code other}) whose function calls {@code probe}. */
    interface Stage {
        CompletableFuture<?> make(TracedCompletableFuture<String> src, CompletableFuture<String> other, Runnable probe);
    }

    /** How a stage's source is completed, and whether its function is expected on the completer. */
    enum Kind { SYNC_OK, SYNC_FAILED, ASYNC_OK, ASYNC_FAILED }

    static Arguments stage(String name, Kind kind, Stage stage) {
        return Arguments.of(name, kind, stage);
    }

    static Stream<Arguments> stages() {
        return Stream.of(
                stage("thenApply", Kind.SYNC_OK, (s, o, p) -> s.thenApply(v -> run(p, v))),
                stage("thenApplyAsync", Kind.ASYNC_OK, (s, o, p) -> s.thenApplyAsync(v -> run(p, v))),
                stage("thenApplyAsync(plain)", Kind.ASYNC_OK, (s, o, p) -> s.thenApplyAsync(v -> run(p, v), PLAIN)),
                stage("thenApplyAsync(traced)", Kind.ASYNC_OK, (s, o, p) -> s.thenApplyAsync(v -> run(p, v), TRACED)),
                stage("thenAccept", Kind.SYNC_OK, (s, o, p) -> s.thenAccept(v -> p.run())),
                stage("thenAcceptAsync", Kind.ASYNC_OK, (s, o, p) -> s.thenAcceptAsync(v -> p.run())),
                stage("thenAcceptAsync(plain)", Kind.ASYNC_OK, (s, o, p) -> s.thenAcceptAsync(v -> p.run(), PLAIN)),
                stage("thenRun", Kind.SYNC_OK, (s, o, p) -> s.thenRun(p)),
                stage("thenRunAsync", Kind.ASYNC_OK, (s, o, p) -> s.thenRunAsync(p)),
                stage("thenRunAsync(plain)", Kind.ASYNC_OK, (s, o, p) -> s.thenRunAsync(p, PLAIN)),
                stage("thenCombine", Kind.SYNC_OK, (s, o, p) -> s.thenCombine(o, (a, b) -> run(p, a + b))),
                stage("thenCombineAsync", Kind.ASYNC_OK, (s, o, p) -> s.thenCombineAsync(o, (a, b) -> run(p, a))),
                stage("thenCombineAsync(plain)", Kind.ASYNC_OK,
                        (s, o, p) -> s.thenCombineAsync(o, (a, b) -> run(p, a), PLAIN)),
                stage("thenAcceptBoth", Kind.SYNC_OK, (s, o, p) -> s.thenAcceptBoth(o, (a, b) -> p.run())),
                stage("thenAcceptBothAsync", Kind.ASYNC_OK, (s, o, p) -> s.thenAcceptBothAsync(o, (a, b) -> p.run())),
                stage("thenAcceptBothAsync(plain)", Kind.ASYNC_OK,
                        (s, o, p) -> s.thenAcceptBothAsync(o, (a, b) -> p.run(), PLAIN)),
                stage("runAfterBoth", Kind.SYNC_OK, (s, o, p) -> s.runAfterBoth(o, p)),
                stage("runAfterBothAsync", Kind.ASYNC_OK, (s, o, p) -> s.runAfterBothAsync(o, p)),
                stage("runAfterBothAsync(plain)", Kind.ASYNC_OK, (s, o, p) -> s.runAfterBothAsync(o, p, PLAIN)),
                stage("applyToEither", Kind.SYNC_OK, (s, o, p) -> s.applyToEither(o, v -> run(p, v))),
                stage("applyToEitherAsync", Kind.ASYNC_OK, (s, o, p) -> s.applyToEitherAsync(o, v -> run(p, v))),
                stage("applyToEitherAsync(plain)", Kind.ASYNC_OK,
                        (s, o, p) -> s.applyToEitherAsync(o, v -> run(p, v), PLAIN)),
                stage("acceptEither", Kind.SYNC_OK, (s, o, p) -> s.acceptEither(o, v -> p.run())),
                stage("acceptEitherAsync", Kind.ASYNC_OK, (s, o, p) -> s.acceptEitherAsync(o, v -> p.run())),
                stage("acceptEitherAsync(plain)", Kind.ASYNC_OK,
                        (s, o, p) -> s.acceptEitherAsync(o, v -> p.run(), PLAIN)),
                stage("runAfterEither", Kind.SYNC_OK, (s, o, p) -> s.runAfterEither(o, p)),
                stage("runAfterEitherAsync", Kind.ASYNC_OK, (s, o, p) -> s.runAfterEitherAsync(o, p)),
                stage("runAfterEitherAsync(plain)", Kind.ASYNC_OK, (s, o, p) -> s.runAfterEitherAsync(o, p, PLAIN)),
                stage("thenCompose", Kind.SYNC_OK,
                        (s, o, p) -> s.thenCompose(v -> CompletableFuture.completedFuture(run(p, v)))),
                stage("thenComposeAsync", Kind.ASYNC_OK,
                        (s, o, p) -> s.thenComposeAsync(v -> CompletableFuture.completedFuture(run(p, v)))),
                stage("thenComposeAsync(plain)", Kind.ASYNC_OK,
                        (s, o, p) -> s.thenComposeAsync(v -> CompletableFuture.completedFuture(run(p, v)), PLAIN)),
                stage("handle", Kind.SYNC_FAILED, (s, o, p) -> s.handle((v, e) -> run(p, "handled"))),
                stage("handleAsync", Kind.ASYNC_FAILED, (s, o, p) -> s.handleAsync((v, e) -> run(p, "handled"))),
                stage("handleAsync(plain)", Kind.ASYNC_FAILED,
                        (s, o, p) -> s.handleAsync((v, e) -> run(p, "handled"), PLAIN)),
                stage("whenComplete", Kind.SYNC_OK, (s, o, p) -> s.whenComplete((v, e) -> p.run())),
                stage("whenCompleteAsync", Kind.ASYNC_OK, (s, o, p) -> s.whenCompleteAsync((v, e) -> p.run())),
                stage("whenCompleteAsync(plain)", Kind.ASYNC_OK,
                        (s, o, p) -> s.whenCompleteAsync((v, e) -> p.run(), PLAIN)),
                stage("exceptionally", Kind.SYNC_FAILED, (s, o, p) -> s.exceptionally(e -> run(p, "recovered"))),
                stage("exceptionallyAsync", Kind.ASYNC_FAILED,
                        (s, o, p) -> s.exceptionallyAsync(e -> run(p, "recovered"))),
                stage("exceptionallyAsync(plain)", Kind.ASYNC_FAILED,
                        (s, o, p) -> s.exceptionallyAsync(e -> run(p, "recovered"), PLAIN)),
                stage("exceptionallyCompose", Kind.SYNC_FAILED,
                        (s, o, p) -> s.exceptionallyCompose(e -> CompletableFuture.completedFuture(run(p, "r")))),
                stage("exceptionallyComposeAsync", Kind.ASYNC_FAILED,
                        (s, o, p) -> s.exceptionallyComposeAsync(e -> CompletableFuture.completedFuture(run(p, "r")))),
                stage("exceptionallyComposeAsync(plain)", Kind.ASYNC_FAILED,
                        (s, o, p) -> s.exceptionallyComposeAsync(
                                e -> CompletableFuture.completedFuture(run(p, "r")), PLAIN)),
                stage("thenApply throwing", Kind.SYNC_OK, (s, o, p) -> s.thenApply(v -> {
                    p.run();
                    throw new IllegalStateException("stage fails");
                })),
                stage("second stage of a chain", Kind.SYNC_OK,
                        (s, o, p) -> s.thenApply(v -> v + "!").thenApply(v -> run(p, v))));
    }

    private static String run(Runnable probe, String value) {
        probe.run();
        return value;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void stageRunsUnderTheTaskOfItsCreation(String name, Kind kind, Stage stage) throws Exception {
        Recording.strict();
        checkStage(name, kind, stage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void stageRunsUnderTheTaskOfItsCreationWhileTracingIsOff(String name, Kind kind, Stage stage) throws Exception {
        checkStage(name, kind, stage);
    }

    private static void checkStage(String name, Kind kind, Stage stage) throws Exception {
        Task creator = Trace.newTask("creator");
        Task completer = Trace.newTask("completer");
        TracedCompletableFuture<String> src = new TracedCompletableFuture<>();
        CompletableFuture<String> other = new CompletableFuture<>();
        List<Task> seen = new CopyOnWriteArrayList<>();
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        Runnable probe = () -> {
            seen.add(Trace.currentTask() == null ? Trace.newTask("NO TASK") : Trace.currentTask());
            ranOn.add(Thread.currentThread());
        };
        CompletableFuture<?> dependent;
        try (Scope s = creator.makeCurrent()) {
            dependent = stage.make(src, other, probe);
        }
        assertThat(dependent).isInstanceOf(TracedCompletableFuture.class);
        assertThat(Trace.currentTask()).isNull();

        AtomicReference<Task> completerAfter = new AtomicReference<>();
        Thread completing = new Thread(() -> {
            try (Scope s = completer.makeCurrent()) {
                other.complete("other");
                if (kind == Kind.SYNC_FAILED || kind == Kind.ASYNC_FAILED) {
                    src.completeExceptionally(new IllegalArgumentException("source fails"));
                } else {
                    src.complete("value");
                }
                completerAfter.set(Trace.currentTask());
            }
        }, "completer");
        completing.start();
        completing.join();
        if (name.endsWith(" throwing")) {
            assertThatThrownBy(dependent::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("stage fails");
        } else {
            dependent.join(); // every other stage completes normally (handle and exceptionally recover)
        }

        assertThat(seen).isNotEmpty().containsOnly(creator);
        assertThat(completerAfter.get()).isSameAs(completer);
        if (kind == Kind.SYNC_OK || kind == Kind.SYNC_FAILED) {
            assertThat(ranOn).as("ran on the completing thread").containsOnly(completing);
        } else {
            assertThat(ranOn).doesNotContain(completing);
        }
        creator.end();
        completer.end();
    }
}
