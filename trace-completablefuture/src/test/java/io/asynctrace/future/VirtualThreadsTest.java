package io.asynctrace.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asynctrace.RecordingStats;
import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceReader;
import io.asynctrace.testing.NoLeftovers;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrapped virtual-thread executors (Java 21+). The module compiles for Java 17, so the
 * executor is reached by reflection; on older JDKs these tests skip themselves. Tagged
 * {@code java21}: the parent pom's {@code jdk25-tests} profile runs them again on
 * /usr/lib/jvm/temurin-25-jdk-amd64 where it exists.
 */
@Tag("java21")
@ExtendWith(NoLeftovers.class)
class VirtualThreadsTest {
    private static final int TASKS = 100_000;
    private static final Method IS_VIRTUAL = isVirtualMethod();

    private ExecutorService virtual;

    @BeforeEach
    void needsVirtualThreads() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21+, this is Java "
                + Runtime.version().feature() + ": the java25 surefire execution (profile jdk25-tests) runs them on a Temurin 25 JDK");
        virtual = TracedExecutors.wrap(
                (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        Trace.stop();
        if (virtual != null) {
            virtual.shutdownNow();
            assertThat(virtual.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void hundredThousandTasksAllEventsPresentMemoryBounded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("virtual.trace");
        TraceOptions options = TraceOptions.defaults();
        long bufferBytes = (long) options.bufferSize() * options.maxBuffers();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicInteger wrongTask = new AtomicInteger();
        AtomicInteger notVirtual = new AtomicInteger();
        RecordingStats stats;
        long baseline;
        long grown;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            Trace.start(out, options);
            baseline = usedAfterGc(memory);
            CountDownLatch done = new CountDownLatch(TASKS);
            for (int i = 0; i < TASKS; i++) {
                Task task = Trace.newTask("vt");
                try (Scope s = task.makeCurrent()) {
                    virtual.execute(() -> {
                        if (!isVirtual(Thread.currentThread())) {
                            notVirtual.incrementAndGet();
                        }
                        Task current = Trace.currentTask();
                        if (current != task) {
                            wrongTask.incrementAndGet();
                        }
                        Trace.withSpan("work", () -> Trace.log("step", "done"));
                        task.end();
                        done.countDown();
                    });
                }
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
            virtual.shutdown(); // every job has recorded "finished"
            assertThat(virtual.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            // Still recording: what the recorder holds must not grow with the number of
            // (dead) virtual threads, only up to its buffer budget.
            grown = usedAfterGc(memory) - baseline;
            stats = Trace.stop();
        }
        assertThat(wrongTask).hasValue(0);
        assertThat(notVirtual).hasValue(0);
        assertThat(stats.failure()).isEmpty();
        assertThat(stats.droppedEvents()).isZero();
        assertThat(grown).as("heap growth after %s virtual-thread tasks", TASKS)
                .isLessThan(bufferBytes + 32L * 1024 * 1024);

        Counter c = new Counter();
        try (TraceReader reader = TraceReader.open(file)) {
            reader.read(c);
            assertThat(reader.complete()).isTrue();
            assertThat(reader.dropped()).isZero();
        }
        assertThat(c.taskBegins).isEqualTo(TASKS);
        assertThat(c.taskEnds).isEqualTo(TASKS);
        assertThat(c.spanBegins).isEqualTo(TASKS);
        assertThat(c.spanEnds).isEqualTo(TASKS);
        assertThat(c.spanTasks).as("one span in each task").isEqualTo(c.tasks);
        assertThat(c.logs).isEqualTo(TASKS);
        assertThat(c.jobsQueued).isEqualTo(TASKS);
        assertThat(c.jobTasks).as("one job for each task").isEqualTo(c.tasks);
        assertThat(c.jobsStarted).isEqualTo(TASKS);
        assertThat(c.jobsFinished).isEqualTo(TASKS);
    }

    @Test
    void futureChainsOnVirtualThreadsKeepTheirTask() {
        Task order = Trace.newTask("order");
        CompletableFuture<Task> chain;
        try (Scope s = order.makeCurrent()) {
            chain = TracedCompletableFuture.supplyAsync(() -> "v", virtual)
                    .thenApplyAsync(v -> v + "!", virtual)
                    .thenCompose(v -> TracedCompletableFuture.supplyAsync(Trace::currentTask, virtual))
                    .thenApply(t -> Trace.currentTask() == t ? t : null);
        }
        assertThat(chain.join()).isSameAs(order);
    }

    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private static Method isVirtualMethod() {
        try {
            return Thread.class.getMethod("isVirtual");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static boolean isVirtual(Thread t) {
        try {
            return IS_VIRTUAL != null && (boolean) IS_VIRTUAL.invoke(t);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /**
     * Counts events while streaming, so reading 100 000 tasks back holds little. Events
     * of different threads may arrive in any order (a span before its task's begin).
     */
    private static final class Counter implements TraceHandler {
        final Set<Long> tasks = new HashSet<>();
        final Set<Long> spanTasks = new HashSet<>();
        final Set<Long> jobTasks = new HashSet<>();
        long taskBegins;
        long taskEnds;
        long spanBegins;
        long spanEnds;
        long logs;
        long jobsQueued;
        long jobsStarted;
        long jobsFinished;

        @Override
        public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
            if (type.equals("vt") && tasks.add(task)) {
                taskBegins++;
            }
        }

        @Override
        public void onTaskEnd(long time, long thread, long task, String outcome) {
            taskEnds++;
        }

        @Override
        public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
            spanBegins++;
            spanTasks.add(task);
        }

        @Override
        public void onSpanEnd(long time, long thread, long span) {
            spanEnds++;
        }

        @Override
        public void onLog(long time, long thread, long task, String category, String message) {
            logs++;
        }

        @Override
        public void onJobQueued(long time, long thread, long job, long task) {
            jobsQueued++;
            jobTasks.add(task);
        }

        @Override
        public void onJobStarted(long time, long thread, long job) {
            jobsStarted++;
        }

        @Override
        public void onJobFinished(long time, long thread, long job) {
            jobsFinished++;
        }
    }
}
