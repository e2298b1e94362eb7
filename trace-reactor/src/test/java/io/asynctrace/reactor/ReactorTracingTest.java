package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.reader.JobInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

@ExtendWith(NoLeftovers.class)
class ReactorTracingTest {

    @AfterEach
    void tearDown() {
        Trace.stop();
        ReactorTracing.uninstall();
        Hooks.disableAutomaticContextPropagation();
        Schedulers.resetOnScheduleHook("someone-else");
    }

    @Test
    void installIsIdempotentAndTurnsNoPropagationModeOn() {
        assertThat(Hooks.isAutomaticContextPropagationEnabled()).isFalse();
        ReactorTracing.install();
        ReactorTracing.install();
        assertThat(ReactorTracing.isInstalled()).isTrue();
        assertThat(Hooks.isAutomaticContextPropagationEnabled()).isFalse();
        ReactorTracing.uninstall();
        ReactorTracing.uninstall();
        assertThat(ReactorTracing.isInstalled()).isFalse();
    }

    @Test
    void uninstallLeavesAutomaticPropagationAsTheApplicationSetIt() {
        Hooks.enableAutomaticContextPropagation();
        ReactorTracing.install();
        ReactorTracing.uninstall();
        assertThat(Hooks.isAutomaticContextPropagationEnabled()).isTrue();
    }

    @Test
    void onlyAsynchronousSourcesAndSharedOperatorsGetAHop() {
        ReactorTracing.install();
        assertThat(Mono.just(1).map(x -> x)).as("synchronous: untouched").isNotInstanceOf(Hops.Hop.class);
        assertThat(Flux.range(0, 3).filter(x -> true)).isNotInstanceOf(Hops.Hop.class);
        assertThat(Mono.fromFuture(new java.util.concurrent.CompletableFuture<Integer>())).isInstanceOf(Hops.Hop.class);
        assertThat(Mono.create(sink -> { })).isInstanceOf(Hops.Hop.class);
        assertThat(Flux.range(0, 3).cache()).isInstanceOf(Hops.Hop.class);
        assertThat(Mono.delay(java.time.Duration.ofSeconds(1))).as("the scheduler hook covers it").isNotInstanceOf(Hops.Hop.class);
        assertThat(Mono.just(1).publishOn(Schedulers.parallel())).as("the scheduler hook covers it")
                .isNotInstanceOf(Hops.Hop.class);
        assertThat(reactor.core.publisher.Sinks.one().asMono().map(x -> x)).as("after a sink")
                .isInstanceOf(Hops.Hop.class);
        assertThat(reactor.core.publisher.Sinks.one().asMono().subscribeOn(Schedulers.parallel()))
                .as("after a sink, also when the operator is a subscribeOn").isInstanceOf(Hops.Hop.class);
        ReactorTracing.uninstall();
        assertThat(Mono.fromFuture(new java.util.concurrent.CompletableFuture<Integer>())).isNotInstanceOf(Hops.Hop.class);
    }

    /**
     * With automatic propagation on, Reactor wraps every publisher that does not call
     * itself internal in a thread-local restoring subscriber; asynctrace's operators
     * restore what they need themselves and say they are internal, so they are not paid for twice.
     */
    @Test
    void asynctracesOperatorsAreInternalSoAutomaticModeDoesNotWrapThem() throws ReflectiveOperationException {
        java.lang.reflect.Field f = Class.forName("reactor.core.publisher.InternalProducerAttr").getDeclaredField("INSTANCE");
        f.setAccessible(true);
        reactor.core.Scannable.Attr<?> internal = (reactor.core.Scannable.Attr<?>) f.get(null);
        ReactorTracing.install();
        List<Object> ours = List.of(Mono.just(1).transform(Trace.task("t")), Flux.just(1).transform(Trace.task("t")),
                Mono.just(1).transform(Trace.span("s")), Flux.just(1).transform(Trace.span("s")),
                Mono.fromFuture(new java.util.concurrent.CompletableFuture<Integer>()),
                Flux.range(0, 3).cache());
        for (Object p : ours) {
            assertThat(reactor.core.Scannable.from(p).scanUnsafe(internal)).as(p.getClass().getName()).isEqualTo(true);
        }
        assertThat(reactor.core.Scannable.from(Mono.just(1).transform(Trace.task("t")))
                .scan(reactor.core.Scannable.Attr.RUN_STYLE)).isEqualTo(reactor.core.Scannable.Attr.RunStyle.SYNC);
    }

    @Test
    void uninstallRemovesOnlyItsOwnSchedulerHook() throws InterruptedException {
        AtomicInteger foreign = new AtomicInteger();
        Schedulers.onScheduleHook("someone-else", r -> () -> {
            foreign.incrementAndGet();
            r.run();
        });
        ReactorTracing.install();
        ReactorTracing.uninstall();
        Recording rec = Recording.start();
        Task t = Trace.newTask("t");
        CountDownLatch ran = new CountDownLatch(1);
        try (Scope s = t.makeCurrent()) {
            Schedulers.single().schedule(ran::countDown);
        }
        t.end();
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        TraceModel m = rec.stop();
        assertThat(foreign.get()).isEqualTo(1);
        assertThat(m.jobs()).as("no job recorded once uninstalled").isEmpty();
    }

    @Test
    void workScheduledForATaskIsAJobAndRunsWithTheTaskCurrent() throws InterruptedException {
        ReactorTracing.install();
        Scheduler single = Schedulers.newSingle("jobs");
        try {
            Recording rec = Recording.start();
            Task t = Trace.newTask("t");
            AtomicReference<Task> seen = new AtomicReference<>();
            AtomicReference<Task> after = new AtomicReference<>(t);
            CountDownLatch ran = new CountDownLatch(2);
            try (Scope s = t.makeCurrent()) {
                single.schedule(() -> {
                    seen.set(Trace.currentTask());
                    ran.countDown();
                });
            }
            single.schedule(() -> {
                after.set(Trace.currentTask());
                ran.countDown();
            });
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            t.end();
            TraceModel m = rec.stop();
            assertThat(seen.get()).isSameAs(t);
            assertThat(after.get()).as("worker's task restored").isNull();
            JobInfo job = m.jobs().stream().filter(j -> j.taskId() == t.id()).findFirst().orElseThrow();
            assertThat(m.jobs()).hasSize(1);
            assertThat(job.hasQueued() && job.hasStarted() && job.hasFinished()).isTrue();
            assertThat(job.queued()).isLessThanOrEqualTo(job.started());
            assertThat(job.started()).isLessThanOrEqualTo(job.finished());
            assertThat(m.threads().get(job.queuedThread())).isEqualTo(Thread.currentThread().getName());
            assertThat(m.threads().get(job.runThread())).startsWith("jobs-");
        } finally {
            single.dispose();
        }
    }

    @Test
    void aPeriodicScheduleIsOneJobAndEveryRunHasTheTask() throws InterruptedException {
        ReactorTracing.install();
        Scheduler single = Schedulers.newSingle("periodic");
        try {
            Recording rec = Recording.start();
            Task t = Trace.newTask("t");
            List<Task> seen = new CopyOnWriteArrayList<>();
            CountDownLatch three = new CountDownLatch(3);
            Disposable d;
            try (Scope s = t.makeCurrent()) {
                d = single.schedulePeriodically(() -> {
                    seen.add(Trace.currentTask());
                    three.countDown();
                }, 0, 1, TimeUnit.MILLISECONDS);
            }
            assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
            d.dispose();
            t.end();
            TraceModel m = rec.stop();
            assertThat(seen).hasSizeGreaterThanOrEqualTo(3).allMatch(x -> x == t);
            assertThat(m.jobs()).hasSize(1);
        } finally {
            single.dispose();
        }
    }

    @Test
    void theHookLeavesWorkAloneWhenThereIsNothingToRecord() {
        Runnable work = () -> { };
        assertThat(JobHook.INSTANCE.apply(work)).as("tracing off").isSameAs(work);
        Task t = Trace.newTask("t");
        try (Scope s = t.makeCurrent()) {
            assertThat(JobHook.INSTANCE.apply(work)).as("tracing off, task current").isSameAs(work);
        }
        Recording rec = Recording.start();
        assertThat(JobHook.INSTANCE.apply(work)).as("no task current").isSameAs(work);
        rec.stop();
    }

    @Test
    void failingWorkStillFinishesTheJobAndRestoresTheWorker() {
        ReactorTracing.install();
        Recording rec = Recording.start();
        Task t = Trace.newTask("t");
        Runnable job;
        try (Scope s = t.makeCurrent()) {
            job = JobHook.INSTANCE.apply(() -> {
                throw new IllegalStateException("boom");
            });
        }
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Task> afterwards = new AtomicReference<>(t);
        Thread worker = new Thread(() -> {
            try {
                job.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
            afterwards.set(Trace.currentTask()); // asserted on the test thread, where a failure is reported
        });
        worker.start();
        Await.joined(worker);
        t.end();
        TraceModel m = rec.stop();
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
        assertThat(afterwards.get()).as("the worker's task after the failed job").isNull();
        assertThat(m.jobs()).singleElement().satisfies(j -> assertThat(j.hasFinished()).isTrue());
    }

    @Test
    void aSubscribeOnInsideATaskIsAJobOfIt() {
        ReactorTracing.install();
        Recording rec = Recording.start();
        Task seen = Mono.fromCallable(Trace::currentTask)
                .subscribeOn(Schedulers.boundedElastic())
                .transform(Trace.task("t"))
                .block();
        TraceModel m = rec.stop();
        long id = TraceModels.onlyTask(m, "t").id();
        assertThat(seen.id()).isEqualTo(id);
        assertThat(m.jobs()).anySatisfy(j -> {
            assertThat(j.taskId()).isEqualTo(id);
            assertThat(m.threads().get(j.runThread())).startsWith("boundedElastic");
        });
    }
}
