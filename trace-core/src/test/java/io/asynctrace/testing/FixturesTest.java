package io.asynctrace.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.FlightRecorder;
import io.asynctrace.Scope;
import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;

/** The shared fixtures fail when they should: a fixture that cannot fail would let every test lie. */
class FixturesTest {

    @AfterEach
    void clean() {
        NoLeftovers.cleanUp();
    }

    @Test
    void aWholeRecordingReadsBackAndItsQueriesFindWhatItHolds() {
        Recording rec = Recording.start();
        Task order = Trace.newTask("order");
        try (Scope s = order.makeCurrent()) {
            Trace.withSpan("brew", () -> Trace.log("orderID", "1"));
        }
        order.end();
        Trace.newTask("other").end();
        TraceModel m = rec.stop();
        assertThat(rec.stats().failure()).isEmpty();
        assertThat(Trace.isEnabled()).isFalse();

        TaskInfo only = TraceModels.onlyTask(m, "order");
        assertThat(only.id()).isEqualTo(order.id());
        assertThat(TraceModels.task(m, order)).isSameAs(only);
        assertThat(TraceModels.onlySpan(m, "brew").taskId()).isEqualTo(order.id());
        assertThat(TraceModels.spansOf(m, order.id())).hasSize(1);
        assertThat(TraceModels.logsOf(m, order.id())).extracting(l -> l.message()).containsExactly("1");
        assertThat(TraceModels.jobsOf(m, order.id())).isEmpty();
        assertThat(TraceModels.threadName(m, TraceModels.onlySpan(m, "brew").startThread()))
                .isEqualTo(Thread.currentThread().getName());
        assertThatThrownBy(() -> TraceModels.onlyTask(m, "missing")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected one task of type missing, found 0");
        assertThatThrownBy(() -> TraceModels.task(m, 987_654_321L)).hasMessageContaining("no task #987654321");
        assertThatThrownBy(() -> TraceModels.onlySpan(m, "nope")).hasMessageContaining("found 0");
        assertThatThrownBy(() -> TraceModels.threadName(m, -5)).hasMessageContaining("thread #-5");
    }

    @Test
    void stopFailsOnMisuseAndStopAndReadKeepsIt() {
        Recording rec = Recording.start();
        Span twice = Trace.startSpan("twice");
        twice.end();
        twice.end();
        assertThatThrownBy(rec::stop).isInstanceOf(AssertionError.class).hasMessageContaining("misuse");
        assertThat(rec.stopAndRead().misuses()).hasSize(1);
    }

    @Test
    void strictRecordingsThrowAtTheMisuse() {
        try (Recording rec = Recording.strict()) {
            Span s = Trace.startSpan("s");
            s.end();
            assertThatThrownBy(s::end).isInstanceOf(IllegalStateException.class);
        }
        assertThat(Trace.isEnabled()).isFalse();
    }

    @Test
    void aTruncatedTraceIsNotWhole() {
        Recording rec = Recording.start();
        Trace.log("k", "v");
        rec.stop();
        byte[] bytes = rec.bytes();
        TraceModel cut = TraceModels.read(java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> TraceModels.assertWhole(cut)).hasMessageContaining("not complete")
                .hasMessageContaining("truncated at byte");
    }

    @Test
    void goldenFilesOfEveryVersionAreThere(@TempDir Path dir) {
        assertThat(Golden.versions()).startsWith(1);
        assertThat(Golden.v1()).isEqualTo(Golden.bytes(1));
        assertThat(Golden.model(1).complete()).isTrue();
        assertThat(TraceModels.read(Golden.copyTo(dir, 1)).events()).isEqualTo(Golden.model(1).events());
        assertThatThrownBy(() -> Golden.bytes(9_999)).hasMessageContaining("/golden/v9999.trace is not on the test classpath");
    }

    @Test
    void awaitReturnsOnceTheConditionHoldsAndFailsAtTheDeadline() throws Exception {
        CountDownLatch later = new CountDownLatch(1);
        Thread t = new Thread(later::countDown, "counts-down");
        t.start();
        Await.latch("the count-down", later);
        Await.joined(t);
        Await.until("the latch is at zero", () -> later.getCount() == 0);
        assertThatThrownBy(() -> Await.until(Duration.ofMillis(20), "never", () -> false))
                .isInstanceOf(AssertionError.class).hasMessage("never: not reached within 20 ms");
        assertThat(Await.value("a value", CompletableFuture.completedFuture(7))).isEqualTo(7);
        CompletableFuture<Integer> failed = CompletableFuture.failedFuture(new IllegalStateException("boom"));
        assertThatThrownBy(() -> Await.value("the failing future", failed)).hasMessage("the failing future failed")
                .hasCauseInstanceOf(IllegalStateException.class);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.submit(() -> { });
        Await.terminated(pool);
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void workTakesAtLeastItsTime() {
        long t0 = System.nanoTime();
        Work.spin(2_000_000);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(2_000_000);
        t0 = System.nanoTime();
        Work.sleep(2);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(2_000_000);
    }

    @Test
    void noLeftoversFindsAndStopsARecordingAFlightRecorderAndAnOpenScope() {
        assertThat(NoLeftovers.cleanUp()).isEmpty();
        Trace.start(new ByteArrayOutputStream());
        new FlightRecorder(Duration.ofSeconds(1), 1 << 20).start();
        assertThat(NoLeftovers.cleanUp()).containsExactly("a running FlightRecorder (stopped)",
                "a recording started with Trace.start (stopped)");
        assertThat(Trace.isEnabled()).isFalse();
        assertThat(FlightRecorder.running()).isNull();

        Task task = Trace.newTask("leaky");
        Scope open = task.makeCurrent();
        try {
            assertThat(NoLeftovers.cleanUp()).singleElement().asString().contains("still current on the test thread");
        } finally {
            open.close();
        }
        assertThat(NoLeftovers.cleanUp()).isEmpty();
    }

    @Test
    void theExtensionFailsTheTestThatLeftTracingOn() {
        NoLeftovers extension = new NoLeftovers();
        ExtensionContext context = (ExtensionContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> method.getName().equals("getDisplayName") ? "leaky()" : null);
        extension.beforeEach(context);
        Trace.start(new ByteArrayOutputStream());
        assertThatThrownBy(() -> extension.afterEach(context)).isInstanceOf(AssertionError.class)
                .hasMessage("left on by leaky(): a recording started with Trace.start (stopped)");
        assertThat(Trace.isEnabled()).isFalse();
        Trace.start(new ByteArrayOutputStream());
        assertThatThrownBy(() -> extension.beforeEach(context))
                .hasMessageStartingWith("left on by an earlier test, before leaky(): a recording");
        extension.afterEach(context);
    }
}
