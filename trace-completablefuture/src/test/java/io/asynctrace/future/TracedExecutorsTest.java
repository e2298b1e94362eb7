package io.asynctrace.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.Scope;
import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.JobInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.micrometer.context.ContextRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeftovers.class)
class TracedExecutorsTest {
    private static final ThreadLocal<String> TENANT = new ThreadLocal<>();
    private final List<ExecutorService> pools = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        Trace.stop();
        ContextRegistry.getInstance().removeThreadLocalAccessor("test.tenant");
        for (ExecutorService p : pools) {
            p.shutdownNow();
            assertThat(p.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private ExecutorService pool(int threads) {
        ExecutorService p = Executors.newFixedThreadPool(threads);
        pools.add(p);
        return p;
    }

    private static Task taskOnWorker(ExecutorService traced) throws Exception {
        return traced.submit(Trace::currentTask).get();
    }

    @Test
    void jobRunsUnderSubmittersTaskAndRecordsQueuedStartedFinished() throws Exception {
        Recording rec = Recording.strict();
        ExecutorService plain = pool(1);
        ExecutorService traced = TracedExecutors.wrap(plain);
        Task order = Trace.newTask("order");
        AtomicReference<Task> seen = new AtomicReference<>();
        try (Scope s = order.makeCurrent()) {
            traced.submit(() -> {
                seen.set(Trace.currentTask());
                Trace.withSpan("brew", () -> { });
            }).get();
        }
        order.end();
        plain.shutdown(); // the job records "finished" after its future completes
        assertThat(plain.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        TraceModel m = rec.stop();

        assertThat(seen.get()).isSameAs(order);
        assertThat(m.dropped()).isZero();
        JobInfo job = m.jobs().stream().filter(j -> j.taskId() == order.id()).findFirst().orElseThrow();
        assertThat(job.hasQueued() && job.hasStarted() && job.hasFinished()).isTrue();
        assertThat(job.queued()).isLessThanOrEqualTo(job.started());
        assertThat(job.started()).isLessThanOrEqualTo(job.finished());
        assertThat(m.threads().get(job.queuedThread())).isEqualTo(Thread.currentThread().getName());
        assertThat(job.runThread()).isNotEqualTo(job.queuedThread());
        SpanInfo brew = m.spans().stream().filter(x -> x.name().equals("brew")).findFirst().orElseThrow();
        assertThat(brew.taskId()).isEqualTo(order.id());
        assertThat(brew.startThread()).isEqualTo(job.runThread());
    }

    @Test
    void poolThreadsCarryNoTaskAfterJobsIncludingFailedOnes() throws Exception {
        Recording rec = Recording.strict();
        // afterExecute runs on the worker right after each job, thrown or not.
        List<Object> afterJobs = new java.util.concurrent.CopyOnWriteArrayList<>();
        ThreadPoolExecutor plain = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "after-execute-pool");
            t.setUncaughtExceptionHandler((th, e) -> { }); // the execute() job below throws on purpose
            return t;
        }) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                Task current = Trace.currentTask();
                afterJobs.add(current == null ? "none" : current);
            }
        };
        pools.add(plain);
        ExecutorService traced = TracedExecutors.wrap(plain);
        Task order = Trace.newTask("order");
        try (Scope s = order.makeCurrent()) {
            Future<?> failed = traced.submit((Runnable) () -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(failed::get).hasCauseInstanceOf(IllegalStateException.class);
            Future<String> failedCall = traced.submit((Callable<String>) () -> {
                throw new java.io.IOException("io");
            });
            assertThatThrownBy(failedCall::get).hasCauseInstanceOf(java.io.IOException.class);
            traced.execute(() -> {
                throw new IllegalArgumentException("thrown out of the worker");
            });
            traced.submit(() -> { }).get();
        }
        order.end();
        assertThat(traced.submit(Trace::currentTask).get()).isNull();
        plain.shutdown(); // afterExecute runs after the job's future completes: wait for it
        assertThat(plain.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(afterJobs).containsExactly("none", "none", "none", "none", "none");
        TraceModel m = rec.stop();
        assertThat(m.jobs().stream().filter(j -> j.taskId() == order.id()))
                .hasSize(4)
                .allSatisfy(j -> assertThat(j.hasStarted() && j.hasFinished()).isTrue());
    }

    @Test
    void otherPropagatedThreadLocalsTravelAndMissingOnesAreCleared() throws Exception {
        ContextRegistry.getInstance().registerThreadLocalAccessor("test.tenant", TENANT::get, TENANT::set,
                TENANT::remove);
        ExecutorService plain = pool(1);
        ExecutorService traced = TracedExecutors.wrap(plain);
        // Leave a value on the worker thread behind the wrapper's back.
        plain.submit(() -> TENANT.set("stale")).get();
        TENANT.set("acme");
        try {
            assertThat(traced.submit(TENANT::get).get()).isEqualTo("acme");
        } finally {
            TENANT.remove();
        }
        assertThat(traced.submit(TENANT::get).get()).as("clearMissing").isNull();
        assertThat(plain.submit(TENANT::get).get()).as("worker's own value restored").isEqualTo("stale");
    }

    @Test
    void propagatesWhileTracingIsOffWithoutRecording() throws Exception {
        assertThat(Trace.isEnabled()).isFalse();
        ExecutorService traced = TracedExecutors.wrap(pool(2));
        Task order = Trace.newTask("order");
        try (Scope s = order.makeCurrent()) {
            assertThat(taskOnWorker(traced)).isSameAs(order);
        }
        assertThat(taskOnWorker(traced)).isNull();
    }

    @Test
    void invokeAllAndInvokeAnyPropagate() throws Exception {
        ExecutorService traced = TracedExecutors.wrap(pool(3));
        Task order = Trace.newTask("order");
        List<Callable<Task>> calls = List.of(Trace::currentTask, Trace::currentTask, Trace::currentTask);
        try (Scope s = order.makeCurrent()) {
            for (Future<Task> f : traced.invokeAll(calls)) {
                assertThat(f.get()).isSameAs(order);
            }
            for (Future<Task> f : traced.invokeAll(calls, 10, TimeUnit.SECONDS)) {
                assertThat(f.get()).isSameAs(order);
            }
            assertThat(traced.invokeAny(calls)).isSameAs(order);
            assertThat(traced.invokeAny(calls, 10, TimeUnit.SECONDS)).isSameAs(order);
        }
    }

    @Test
    void scheduledJobsPropagateToEveryRun() throws Exception {
        ScheduledExecutorService plain = Executors.newScheduledThreadPool(1);
        pools.add(plain);
        ScheduledExecutorService traced = TracedExecutors.wrap(plain);
        Task order = Trace.newTask("order");
        List<Task> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        ScheduledFuture<?> periodic;
        try (Scope s = order.makeCurrent()) {
            assertThat(traced.schedule(Trace::currentTask, 1, TimeUnit.MILLISECONDS).get()).isSameAs(order);
            AtomicReference<Task> once = new AtomicReference<>();
            traced.schedule(() -> once.set(Trace.currentTask()), 1, TimeUnit.MILLISECONDS).get();
            assertThat(once.get()).isSameAs(order);
            periodic = traced.scheduleAtFixedRate(() -> {
                seen.add(Trace.currentTask());
                three.countDown();
            }, 0, 1, TimeUnit.MILLISECONDS);
        }
        Await.latch("three periodic runs", three);
        periodic.cancel(false);
        ScheduledFuture<?> delayed;
        CountDownLatch twice = new CountDownLatch(2);
        try (Scope s = order.makeCurrent()) {
            delayed = traced.scheduleWithFixedDelay(() -> {
                seen.add(Trace.currentTask());
                twice.countDown();
            }, 0, 1, TimeUnit.MILLISECONDS);
        }
        Await.latch("two fixed-delay runs", twice);
        delayed.cancel(false);
        assertThat(seen).hasSizeGreaterThanOrEqualTo(5).containsOnly(order);
        assertThat(traced.schedule(Trace::currentTask, 0, TimeUnit.MILLISECONDS).get()).isNull();
    }

    @Test
    void lifecycleIsDelegated() throws Exception {
        ExecutorService plain = pool(1);
        ExecutorService traced = TracedExecutors.wrap(plain);
        CountDownLatch release = new CountDownLatch(1);
        traced.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runnable pending = () -> { };
        traced.execute(pending);
        assertThat(traced.isShutdown()).isFalse();
        List<Runnable> left = traced.shutdownNow();
        assertThat(left).containsExactly(pending);
        assertThat(plain.isShutdown()).isTrue();
        assertThat(traced.isShutdown()).isTrue();
        assertThat(traced.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(traced.isTerminated()).isTrue();
        assertThatThrownBy(() -> traced.execute(() -> { }))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);

        ExecutorService other = pool(1);
        ExecutorService tracedOther = TracedExecutors.wrap(other);
        tracedOther.shutdown();
        assertThat(other.isShutdown()).isTrue();
    }

    @Test
    void wrappingIsIdempotentAndKeepsTheKindOfExecutor() {
        ExecutorService service = TracedExecutors.wrap(pool(1));
        assertThat(TracedExecutors.wrap(service)).isSameAs(service);
        assertThat(TracedExecutors.wrap((Executor) service)).isSameAs(service);
        ScheduledExecutorService plainScheduled = Executors.newSingleThreadScheduledExecutor();
        pools.add(plainScheduled);
        ScheduledExecutorService scheduled = TracedExecutors.wrap(plainScheduled);
        assertThat(TracedExecutors.wrap((ExecutorService) scheduled)).isSameAs(scheduled);
        assertThat(TracedExecutors.wrap((Executor) plainScheduled)).isInstanceOf(ScheduledExecutorService.class);
        Executor direct = Runnable::run;
        Executor tracedDirect = TracedExecutors.wrap(direct);
        assertThat(tracedDirect).isNotInstanceOf(ExecutorService.class);
        assertThat(TracedExecutors.wrap(tracedDirect)).isSameAs(tracedDirect);
        assertThatThrownBy(() -> TracedExecutors.wrap((Executor) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void jobRunInlineGivesTheCallerItsTaskAndSpanBack() throws Exception {
        // A direct executor runs the job on the submitting thread, inside its open span:
        // afterwards the span must still be current (strict mode throws on misnesting).
        Recording rec = Recording.strict();
        Executor inline = TracedExecutors.wrap((Executor) Runnable::run);
        Task caller = Trace.newTask("caller");
        Task other = Trace.newTask("other");
        AtomicReference<Task> seen = new AtomicReference<>();
        try (Scope s = caller.makeCurrent()) {
            Span outer = Trace.startSpan("outer");
            try (Scope o = other.makeCurrent()) {
                inline.execute(() -> { });
            }
            inline.execute(() -> seen.set(Trace.currentTask()));
            Trace.withSpan("inner", () -> { });
            outer.end();
            assertThat(Trace.currentTask()).isSameAs(caller);
        }
        caller.end();
        other.end();
        TraceModel m = rec.stop();
        assertThat(seen.get()).isSameAs(caller);
        assertThat(m.misuses()).isEmpty();
        SpanInfo inner = m.spans().stream().filter(x -> x.name().equals("inner")).findFirst().orElseThrow();
        assertThat(m.span(inner.parentId()).name()).isEqualTo("outer");
    }

    @Test
    void manyConcurrentSubmittersEachSeeTheirOwnTask() throws Exception {
        ExecutorService traced = TracedExecutors.wrap(pool(4));
        ExecutorService submitters = pool(4);
        AtomicInteger mismatches = new AtomicInteger();
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(submitters.submit(() -> {
                Task t = Trace.newTask("t");
                try (Scope s = t.makeCurrent()) {
                    if (traced.submit(Trace::currentTask).get() != t) {
                        mismatches.incrementAndGet();
                    }
                } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                }
                t.end();
            }));
        }
        for (Future<?> f : all) {
            f.get();
        }
        assertThat(mismatches).hasValue(0);
    }

    @Test
    void spansInAJobNestUnderTheSpanOpenAtSubmit() throws Exception {
        Recording rec = Recording.strict();
        ExecutorService traced = TracedExecutors.wrap(pool(1));
        Task task = Trace.newTask("nest");
        long submitSpan;
        try (Scope s = task.makeCurrent(); Span outer = Trace.startSpan("submit")) {
            submitSpan = outer.id();
            traced.submit(() -> Trace.withSpan("inJob", () -> { })).get();
        }
        task.end();
        TraceModel m = rec.stop();
        SpanInfo inJob = m.spans().stream().filter(sp -> "inJob".equals(sp.name())).findFirst().orElseThrow();
        assertThat(inJob.parentId()).isEqualTo(submitSpan);
        assertThat(inJob.taskId()).isEqualTo(task.id());
        assertThat(m.misuses()).isEmpty();
    }
}
