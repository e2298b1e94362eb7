package io.asynctrace.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.JobInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeftovers.class)
class TracedCompletableFutureTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() throws InterruptedException {
        Trace.stop();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Waits until the pool's jobs have all recorded "finished". */
    private void quiesce() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void supplyAndRunAsyncRunUnderTheCallersTaskAndRecordJobs() throws Exception {
        Recording rec = Recording.strict();
        Task order = Trace.newTask("order");
        Task onDefault;
        Task onPool;
        AtomicReference<Task> ran = new AtomicReference<>();
        AtomicReference<Task> ranDefault = new AtomicReference<>();
        try (Scope s = order.makeCurrent()) {
            onDefault = TracedCompletableFuture.supplyAsync(Trace::currentTask).join();
            onPool = TracedCompletableFuture.supplyAsync(Trace::currentTask, pool).join();
            TracedCompletableFuture.runAsync(() -> ran.set(Trace.currentTask()), pool).join();
            TracedCompletableFuture.runAsync(() -> ranDefault.set(Trace.currentTask())).join();
        }
        order.end();
        quiesce();
        TraceModel m = rec.stop();
        assertThat(List.of(onDefault, onPool, ran.get(), ranDefault.get())).containsOnly(order);
        List<JobInfo> jobs = m.jobs().stream().filter(j -> j.taskId() == order.id()).collect(Collectors.toList());
        assertThat(jobs).hasSize(4).allSatisfy(j -> {
            assertThat(j.hasQueued() && j.hasStarted()).isTrue();
            assertThat(j.queued()).isLessThanOrEqualTo(j.started());
            assertThat(m.threads().get(j.queuedThread())).isEqualTo(Thread.currentThread().getName());
        });
        // A job completes its future before it records "finished": only jobs of a pool
        // that has terminated are sure to be finished (the default executor may be a
        // thread per job, which cannot be awaited).
        assertThat(jobs.stream().filter(j -> j.hasFinished() && j.started() <= j.finished())).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void asyncStageFiredByAnotherTasksThreadIsQueuedForItsOwnTaskOnce() throws Exception {
        Recording rec = Recording.strict();
        ExecutorService traced = TracedExecutors.wrap(pool);
        Task creator = Trace.newTask("creator");
        Task completer = Trace.newTask("completer");
        TracedCompletableFuture<String> src = new TracedCompletableFuture<>();
        CompletableFuture<Task> dependent;
        try (Scope s = creator.makeCurrent()) {
            dependent = src.thenApplyAsync(v -> Trace.currentTask(), traced);
        }
        Thread t = new Thread(() -> {
            try (Scope s = completer.makeCurrent()) {
                src.complete("v");
            }
        }, "completer");
        t.start();
        t.join();
        assertThat(dependent.join()).isSameAs(creator);
        creator.end();
        completer.end();
        quiesce();
        TraceModel m = rec.stop();
        assertThat(m.jobs()).singleElement().satisfies(j -> {
            assertThat(j.taskId()).isEqualTo(creator.id());
            assertThat(m.threads().get(j.queuedThread())).isEqualTo("completer");
            assertThat(j.hasStarted() && j.hasFinished()).isTrue();
        });
    }

    @Test
    void wrapMakesAForeignFutureTraced() {
        CompletableFuture<String> plain = new CompletableFuture<>();
        TracedCompletableFuture<String> wrapped = TracedCompletableFuture.wrap(plain);
        assertThat(TracedCompletableFuture.wrap(wrapped)).isSameAs(wrapped);
        Task creator = Trace.newTask("creator");
        CompletableFuture<Task> dependent;
        try (Scope s = creator.makeCurrent()) {
            dependent = wrapped.thenApply(v -> Trace.currentTask());
        }
        Task completer = Trace.newTask("completer");
        try (Scope s = completer.makeCurrent()) {
            plain.complete("v");
            assertThat(Trace.currentTask()).isSameAs(completer);
        }
        assertThat(dependent.join()).isSameAs(creator);

        CompletableFuture<String> failing = new CompletableFuture<>();
        TracedCompletableFuture<String> wrappedFailing = TracedCompletableFuture.wrap(failing);
        failing.completeExceptionally(new IllegalStateException("x"));
        assertThatThrownBy(wrappedFailing::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(TracedCompletableFuture.wrap(failing.thenApply(v -> v)).isCompletedExceptionally()).isTrue();
    }

    @Test
    void allOfAndAnyOfAreTraced() {
        Task creator = Trace.newTask("creator");
        CompletableFuture<String> a = new CompletableFuture<>();
        CompletableFuture<String> b = new CompletableFuture<>();
        TracedCompletableFuture<Void> all = TracedCompletableFuture.allOf(a, b);
        TracedCompletableFuture<Object> any = TracedCompletableFuture.anyOf(a, b);
        CompletableFuture<Task> afterAll;
        CompletableFuture<Task> afterAny;
        try (Scope s = creator.makeCurrent()) {
            afterAll = all.thenApply(v -> Trace.currentTask());
            afterAny = any.thenApply(v -> Trace.currentTask());
        }
        Task completer = Trace.newTask("completer");
        try (Scope s = completer.makeCurrent()) {
            a.complete("a");
            assertThat(afterAny.join()).isSameAs(creator);
            assertThat(afterAll).isNotDone();
            b.complete("b");
        }
        assertThat(afterAll.join()).isSameAs(creator);
    }

    @Test
    void factoriesAndPlumbingReturnTracedFutures() throws Exception {
        assertThat(TracedCompletableFuture.completedFuture("x").join()).isEqualTo("x");
        assertThat(TracedCompletableFuture.completedStage("x")).isInstanceOf(TracedCompletableFuture.class);
        assertThat(TracedCompletableFuture.<String>failedFuture(new IllegalStateException()).isCompletedExceptionally())
                .isTrue();
        assertThat(TracedCompletableFuture.failedStage(new IllegalStateException()))
                .isInstanceOf(TracedCompletableFuture.class);
        TracedCompletableFuture<String> f = new TracedCompletableFuture<>();
        assertThat(f.copy()).isInstanceOf(TracedCompletableFuture.class);
        assertThat(f.toCompletableFuture()).isSameAs(f);
        assertThat(f.newIncompleteFuture()).isInstanceOf(TracedCompletableFuture.class);
        assertThat(f.defaultExecutor()).isSameAs(TracedExecutors.defaultAsyncExecutor());
        CompletionStage<String> minimal = f.minimalCompletionStage();
        minimal.toCompletableFuture().complete("not the source");
        assertThat(f).isNotDone();
        TracedCompletableFuture<String> timedOut = new TracedCompletableFuture<String>().orTimeout(1, TimeUnit.MILLISECONDS);
        assertThatThrownBy(timedOut::join).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(new TracedCompletableFuture<String>().completeOnTimeout("late", 1, TimeUnit.MILLISECONDS).join())
                .isEqualTo("late");
        Task order = Trace.newTask("order");
        try (Scope s = order.makeCurrent()) {
            TracedCompletableFuture<Task> completed = new TracedCompletableFuture<>();
            assertThat(completed.completeAsync(Trace::currentTask).get()).isSameAs(order);
        }
        assertThatThrownBy(() -> f.thenApply(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.thenApplyAsync(v -> v, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void stageOnAnAlreadyCompletedSourceRunsOnTheCallerUnderItsTask() {
        Task order = Trace.newTask("order");
        TracedCompletableFuture<String> done = TracedCompletableFuture.completedFuture("x");
        try (Scope s = order.makeCurrent()) {
            assertThat(done.thenApply(v -> Trace.currentTask()).join()).isSameAs(order);
            assertThat(done.thenApplyAsync(v -> Trace.currentTask(), pool).join()).isSameAs(order);
            assertThat(Trace.currentTask()).isSameAs(order);
        }
        assertThat(done.thenApply(v -> Trace.currentTask()).join()).isNull();
    }

    @Test
    void cancellingAWrappedFutureLeavesItsSourceAlone() {
        CompletableFuture<String> source = new CompletableFuture<>();
        TracedCompletableFuture<String> wrapped = TracedCompletableFuture.wrap(source);
        assertThat(wrapped.cancel(true)).isTrue();
        assertThat(wrapped.isCancelled()).isTrue();
        assertThat(source.isDone()).as("the source is not cancelled with it").isFalse();
        assertThat(source.complete("later")).isTrue();
        assertThat(source.join()).isEqualTo("later");
        assertThatThrownBy(wrapped::join).isInstanceOf(java.util.concurrent.CancellationException.class);
        // A dependent of the wrapper is cancelled with it; the source's own dependents run.
        CompletableFuture<String> other = new CompletableFuture<>();
        TracedCompletableFuture<String> second = TracedCompletableFuture.wrap(other);
        CompletableFuture<String> ofWrapper = second.thenApply(v -> v + "!");
        CompletableFuture<String> ofSource = other.thenApply(v -> v + "?");
        second.cancel(false);
        other.complete("v");
        assertThat(ofWrapper.isCompletedExceptionally()).isTrue();
        assertThat(ofSource.join()).isEqualTo("v?");
    }
}
