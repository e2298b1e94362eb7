package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Found by a review of 1fe893f: each test failed on that commit. */
class FlightRecorderReviewTest {
    private static final TraceOptions FAST = FlightFixtures.FAST;
    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        flights.stopAll();
    }

    /** FlightRecorder.start() on the running instance throws as documented, but also kills its triggers, uncounted. */
    @Test
    void aRefusedSecondStartLeavesTheRunningFlightRecordersTriggersWorking() throws Exception {
        List<String> names = new CopyOnWriteArrayList<>();
        FlightRecorder f = new FlightRecorder(Duration.ofSeconds(5), 8 << 20).withOptions(FAST)
                .withSnapshotInterval(Duration.ZERO).snapshotOnError(null, name -> {
                    names.add(name);
                    return new ByteArrayOutputStream();
                });
        flights.start(f);
        assertThatThrownBy(f::start).isInstanceOf(IllegalStateException.class);
        assertThat(f.isRunning()).isTrue();
        Trace.newTask("a").end("failed");
        Await.until("the trigger is counted", () -> f.snapshotsWritten() + f.snapshotsFailed() + f.snapshotsSuppressed() > 0);
        assertThat(f.snapshotsWritten() + f.snapshotsFailed() + f.snapshotsSuppressed())
                .as("the trigger fired: written, failed or at least counted as suppressed").isEqualTo(1);
    }

    /** A snapshot whose sink was opened before stop() completes as "written" with an empty trace. */
    @Test
    void aSnapshotInProgressAtStopIsNotAnEmptyTraceCountedAsWritten() throws Exception {
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<ByteArrayOutputStream> outs = new CopyOnWriteArrayList<>();
        FlightRecorder f = new FlightRecorder(Duration.ofSeconds(5), 8 << 20).withOptions(FAST)
                .withSnapshotInterval(Duration.ZERO).snapshotOnError(null, name -> {
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    outs.add(o);
                    opened.countDown();
                    Await.latch("the test releases the sink", release);
                    return o;
                });
        flights.start(f);
        for (int i = 0; i < 100; i++) {
            Trace.log("before", "the failure " + i);
        }
        Task failed = Trace.newTask("a");
        failed.end("failed");
        Await.latch("the snapshot opens its output", opened);
        f.stop();
        release.countDown();
        Await.until("the snapshot is counted", () -> f.snapshotsWritten() + f.snapshotsFailed() + f.snapshotsSuppressed() == 1);
        if (f.snapshotsWritten() == 1) {
            TraceModel m = TraceModel.read(new ByteArrayInputStream(outs.get(0).toByteArray()));
            assertThat(m.tasks()).as("a snapshot counted as written holds the task that triggered it ("
                    + outs.get(0).size() + " bytes)").extracting(TaskInfo::id).contains(failed.id());
        }
    }

    /** Same with SnapshotSink.directory: shutdownNow's interrupt closes the FileChannel, leaving an empty file. */
    @Test
    void aSnapshotInProgressAtStopLeavesNoEmptyFile() throws Exception {
        Path dir = Files.createTempDirectory("review13");
        SnapshotSink real = SnapshotSink.directory(dir);
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FlightRecorder f = new FlightRecorder(Duration.ofSeconds(5), 8 << 20).withOptions(FAST)
                .withSnapshotInterval(Duration.ZERO).snapshotOnError(null, name -> {
                    OutputStream o = real.open(name);
                    opened.countDown();
                    Await.latch("the test releases the sink", release);
                    return o;
                });
        flights.start(f);
        Trace.log("before", "the failure");
        Trace.newTask("a").end("failed");
        Await.latch("the snapshot opens its output", opened);
        f.stop();
        release.countDown();
        Await.until("the snapshot is counted", () -> f.snapshotsWritten() + f.snapshotsFailed() + f.snapshotsSuppressed() == 1);
        List<Path> left;
        try (var files = Files.list(dir)) {
            left = files.collect(Collectors.toList());
        }
        for (Path p : left) {
            TraceModel m = TraceModel.read(p);
            assertThat(m.tasks()).as(p.getFileName() + " (" + Files.size(p) + " bytes; written " + f.snapshotsWritten()
                    + ", failed " + f.snapshotsFailed() + "): a snapshot file left behind holds the task")
                    .isNotEmpty();
        }
    }

    /** With the default budget each long name is written once, not in every segment: the file stays near its names. */
    @Test
    void withTheDefaultBudgetTheTableIsNotRepeatedInEverySegment() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withFlushIntervalMillis(10));
        long namesBytes = 0;
        for (int i = 0; i < 5_000; i++) {
            String sql = "SELECT * FROM orders WHERE id = " + i + " AND note = '" + "n".repeat(960) + "'";
            namesBytes += sql.length();
            Trace.withSpan(sql, () -> { });
            if (i % 500 == 0) {
                Trace.flush(); // a segment now and then (deterministic, unlike a sleep)
            }
        }
        RecordingStats stats = Trace.stop();
        assertThat(stats.failure()).isEmpty();
        assertThat((double) out.size()).as("file bytes " + out.size() + " for " + namesBytes + " name bytes, "
                + stats.segments() + " segments").isLessThan(2.0 * namesBytes);
    }
}
