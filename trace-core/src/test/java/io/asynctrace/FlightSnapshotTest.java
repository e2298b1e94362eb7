package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Where snapshots go: SnapshotSink.directory, a sink that fails, and writeTo from several threads at once. */
@ExtendWith(NoLeftovers.class)
class FlightSnapshotTest {
    private static final TraceOptions FAST = TraceOptions.defaults().withFlushIntervalMillis(10);
    private FlightRecorder flight;

    @AfterEach
    void stop() {
        if (flight != null) {
            flight.stop();
        }
    }

    @Test
    void directorySinkCreatesTheDirectoryAndWritesOneFilePerSnapshot(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("slow").resolve("traces"); // does not exist yet
        flight = new FlightRecorder(Duration.ofSeconds(5), 4 << 20).withOptions(FAST)
                .withSnapshotInterval(Duration.ZERO)
                .snapshotOnError("call", SnapshotSink.directory(dir));
        flight.start();
        Task failed = Trace.newTask("call");
        failed.end("java.io.IOException");
        Await.until("the snapshot written", () -> flight.snapshotsWritten() == 1);
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.toList();
        }
        assertThat(files).singleElement().satisfies(f -> assertThat(f.getFileName().toString())
                .matches("asynctrace-\\d{8}T\\d{6}\\.\\d{3}Z-call-task" + failed.id() + "\\.trace"));
        TraceModel m = TraceModels.read(files.get(0));
        assertThat(m.complete()).isTrue();
        assertThat(TraceModels.task(m, failed).outcome()).isEqualTo("java.io.IOException");
    }

    @Test
    void aSinkThatFailsIsCountedAndTheFlightRecorderGoesOn() throws Exception {
        List<String> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        SnapshotSink throwing = name -> {
            opened.add(name);
            if (opened.size() == 1) {
                throw new IOException("no space for " + name);
            }
            if (opened.size() == 2) {
                return new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        throw new IOException("disk full");
                    }
                };
            }
            throw new IllegalStateException("a sink bug");
        };
        flight = new FlightRecorder(Duration.ofSeconds(5), 4 << 20).withOptions(FAST)
                .withSnapshotInterval(Duration.ZERO)
                .snapshotOnError(null, throwing);
        flight.start();
        for (int i = 1; i <= 3; i++) {
            Trace.newTask("call").end("failed");
            int n = i;
            Await.until("snapshot " + n + " attempted", () -> flight.snapshotsFailed() == n);
        }
        assertThat(opened).hasSize(3);
        assertThat(flight.snapshotsWritten()).isZero();
        assertThat(flight.isRunning()).as("a failing sink loses its snapshot, nothing else").isTrue();
        Trace.log("still", "recording");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        flight.writeTo(out);
        assertThat(TraceModels.read(out).logs()).extracting(l -> l.category()).contains("still");
    }

    @Test
    void concurrentWriteToCallsEachWriteACompleteSnapshot() throws Exception {
        flight = new FlightRecorder(Duration.ofSeconds(5), 8 << 20).withOptions(FAST);
        flight.start();
        for (int i = 0; i < 200; i++) {
            try (Task t = Trace.newTask("order"); Scope s = t.makeCurrent()) {
                Trace.withSpan("brew", () -> Trace.log("orderID", "x"));
            }
        }
        int writers = 4;
        CyclicBarrier together = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<byte[]>> snapshots = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                snapshots.add(pool.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    long n = flight.writeTo(out);
                    assertThat(n).isEqualTo(out.size());
                    return out.toByteArray();
                }));
            }
            for (Future<byte[]> f : snapshots) {
                TraceModel m = TraceModels.read(Await.value("a concurrent snapshot", f));
                assertThat(m.complete()).isTrue();
                assertThat(m.truncated()).isFalse();
                assertThat(TraceModels.tasks(m, "order")).hasSize(200);
                assertThat(m.logs()).hasSize(200);
            }
        } finally {
            Await.terminated(pool);
        }
    }
}
