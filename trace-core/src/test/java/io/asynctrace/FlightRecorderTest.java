package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.TraceModels;
import io.asynctrace.testing.Work;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlightRecorderTest {
    private static final TraceOptions FAST = FlightFixtures.FAST;
    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        flights.stopAll();
    }

    private FlightRecorder start(FlightRecorder f) {
        return flights.start(f);
    }

    /** A sink keeping snapshots in memory by name. */
    private static final class MemorySink implements SnapshotSink {
        final Map<String, ByteArrayOutputStream> files = new ConcurrentHashMap<>();

        @Override
        public OutputStream open(String name) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            files.put(name, out);
            return out;
        }

        TraceModel only() throws IOException {
            assertThat(files).hasSize(1);
            return TraceModels.read(files.values().iterator().next().toByteArray());
        }
    }

    private static TraceModel snapshot(FlightRecorder f) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = f.writeTo(out);
        assertThat(n).isEqualTo(out.size());
        return TraceModels.read(out);
    }

    @Test
    void writeToIsACompleteTraceUpToTheCall() throws IOException {
        FlightRecorder f = start(new FlightRecorder(Duration.ofSeconds(5), 8 << 20).withOptions(FAST));
        assertThat(Trace.isEnabled()).isTrue();
        for (int i = 0; i < 100; i++) {
            try (Task t = Trace.newTask("order"); Scope s = t.makeCurrent()) {
                Trace.log("orderID", Integer.toString(i));
            }
        }
        TraceModel m = snapshot(f);
        assertThat(m.complete()).isTrue();
        assertThat(m.tasks()).hasSize(100).allMatch(TaskInfo::complete);
        assertThat(m.logs()).hasSize(100);
        // A second snapshot right after holds the same (serialised, complete) content.
        assertThat(snapshot(f).tasks()).hasSize(100);
        f.stop();
        assertThat(Trace.isEnabled()).isFalse();
        assertThatThrownBy(() -> f.writeTo(new ByteArrayOutputStream())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void memoryStaysWithinMaxBytesPlusOneSegmentAndKeepsTheNewest() throws Exception {
        long maxBytes = 256 << 10;
        // A window far longer than the flood: the byte bound alone evicts, and the newest segment (the
        // "last" log below) is kept however long the snapshot takes (with a 1 ms window it could age out
        // before writeTo on a loaded machine, as the window allows: failed once in CI).
        FlightRecorder f = start(new FlightRecorder(Duration.ofMinutes(1), maxBytes).withOptions(FAST));
        long segmentMax = SegmentWriter.SEGMENT_TARGET + FAST.bufferSize() + (64 << 10);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong made = new AtomicLong();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try (Task task = Trace.newTask("flood"); Scope s = task.makeCurrent()) {
                        Trace.withSpan("work", () -> Trace.log("n", "message number"));
                    }
                    made.incrementAndGet();
                }
            }, "producer-" + p);
            t.start();
            producers.add(t);
        }
        long peak = 0;
        long deadline = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < deadline) {
            peak = Math.max(peak, f.retainedBytes());
            Thread.sleep(2);
        }
        running.set(false);
        for (Thread t : producers) {
            t.join();
        }
        Trace.log("last", "event");
        TraceModel m = snapshot(f);
        assertThat(peak).as("memory bound").isLessThanOrEqualTo(maxBytes + segmentMax);
        assertThat(m.logs()).as("the byte bound evicted most of the flood").hasSizeLessThan((int) Math.min(made.get(), Integer.MAX_VALUE));
        assertThat(m.complete()).isTrue();
        assertThat(m.logs()).anyMatch(l -> l.category().equals("last"));
        assertThat(m.events()).isPositive();
    }

    @Test
    void aSlowTaskTriggersASnapshotHoldingItWholeOnEveryThread() throws Exception {
        MemorySink sink = new MemorySink();
        // No rate limit: a "fast" task slowed past the threshold by a loaded machine snapshots too,
        // and must not suppress the slow task's snapshot.
        FlightRecorder f = start(new FlightRecorder(Duration.ofSeconds(10), 16 << 20).withOptions(FAST)
                .withSnapshotInterval(Duration.ZERO)
                .snapshotWhen("order", Duration.ofMillis(50), sink));
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "grinder"));
        try {
            for (int i = 0; i < 20; i++) {
                Trace.newTask("order").end(); // fast: no snapshot
            }
            Trace.newTask("other").end();
            Task slow = Trace.newTask("order");
            try (Scope s = slow.makeCurrent()) {
                Trace.withSpan("steamMilk", () -> Work.sleep(30));
                Span remote = slow.startSpan("grind");
                pool.submit(() -> {
                    Work.sleep(30);
                    remote.end();
                }).get();
            }
            slow.end();
            String slowName = "-order-task" + slow.id() + ".trace";
            // One snapshot thread writes them in trigger order: the slow task's, the last, ends the wait.
            Await.until("the slow task's snapshot written", () -> sink.files.keySet().stream()
                    .anyMatch(n -> n.endsWith(slowName)) && f.snapshotsWritten() == sink.files.size());
            for (Map.Entry<String, ByteArrayOutputStream> file : sink.files.entrySet()) {
                assertThat(file.getKey()).matches("asynctrace-\\d{8}T\\d{6}\\.\\d{3}Z-order-task\\d+\\.trace");
                long trigger = Long.parseLong(file.getKey().replaceAll(".*-order-task(\\d+)\\.trace", "$1"));
                assertThat(TraceModels.task(TraceModels.read(file.getValue()), trigger).duration())
                        .as("%s: only a task of at least the threshold triggers", file.getKey())
                        .isGreaterThanOrEqualTo(50_000_000L);
            }
            TraceModel m = TraceModels.read(sink.files.entrySet().stream().filter(e -> e.getKey().endsWith(slowName))
                    .findFirst().orElseThrow().getValue());
            assertThat(m.complete()).isTrue();
            TaskInfo t = m.task(slow.id());
            assertThat(t.complete()).isTrue();
            assertThat(t.startedBeforeTrace()).isFalse();
            assertThat(t.duration()).isGreaterThanOrEqualTo(50_000_000L);
            assertThat(m.spans()).filteredOn(sp -> sp.taskId() == slow.id()).extracting(SpanInfo::name)
                    .containsExactlyInAnyOrder("steamMilk", "grind");
            SpanInfo grind = m.spans().stream().filter(sp -> "grind".equals(sp.name())).findFirst().orElseThrow();
            assertThat(m.threads().get(grind.endThread())).isEqualTo("grinder");
            assertThat(f.snapshotsFailed()).isZero();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void triggersAreRateLimitedAndErrorsTriggerToo() throws Exception {
        MemorySink sink = new MemorySink();
        FlightRecorder f = start(new FlightRecorder(Duration.ofSeconds(1), 4 << 20).withOptions(FAST)
                .withSnapshotInterval(Duration.ofMinutes(1))
                .snapshotOnError(null, sink));
        Trace.newTask("fine").end("ok");
        for (int i = 0; i < 5; i++) {
            Trace.newTask("call").end("java.io.IOException");
        }
        Await.until("the first error's snapshot written", () -> f.snapshotsWritten() == 1);
        assertThat(f.snapshotsSuppressed()).isEqualTo(4);
        TraceModel m = sink.only();
        assertThat(m.tasks()).extracting(TaskInfo::outcome).contains("java.io.IOException");
    }

    @Test
    void runsAlongsideATraceStartRecordingInEitherOrder() throws Exception {
        FlightRecorder f = start(new FlightRecorder(Duration.ofSeconds(5), 8 << 20).withOptions(FAST));
        Trace.log("before", "file");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        assertThatThrownBy(() -> Trace.start(new ByteArrayOutputStream())).isInstanceOf(IllegalStateException.class);
        Trace.log("during", "file");
        RecordingStats stats = Trace.stop();
        assertThat(stats.failure()).isEmpty();
        assertThat(stats.bytesWritten()).isEqualTo(file.size());
        Trace.log("after", "file");
        assertThat(Trace.isEnabled()).as("the flight recorder goes on").isTrue();

        TraceModel fromFile = TraceModels.read(file);
        assertThat(fromFile.complete()).isTrue();
        assertThat(fromFile.logs()).extracting(l -> l.category()).contains("during").doesNotContain("after");
        assertThat(snapshot(f).logs()).extracting(l -> l.category()).contains("before", "during", "after");

        // The other order: a recording first, then the flight recorder joins and leaves.
        f.stop();
        assertThat(Trace.isEnabled()).isFalse();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        Trace.start(second);
        FlightRecorder g = start(new FlightRecorder(Duration.ofSeconds(5), 8 << 20));
        assertThatThrownBy(() -> new FlightRecorder(Duration.ofSeconds(1), 1 << 20).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
        Trace.log("both", "on");
        assertThat(snapshot(g).logs()).extracting(l -> l.category()).contains("both");
        g.stop();
        assertThat(Trace.isEnabled()).as("the Trace.start recording goes on").isTrue();
        Trace.log("trace", "only");
        Trace.stop();
        TraceModel m = TraceModels.read(second);
        assertThat(m.complete()).isTrue();
        assertThat(m.logs()).extracting(l -> l.category()).containsExactly("both", "trace");
    }
}
