package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.testing.Await;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writer thread dying while a consumer is being attached or detached: nobody hangs, nothing claims success. */
class WriterFailureTest {
    private static final TraceOptions FAST = FlightFixtures.FAST;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private FlightRecorder flight;

    @AfterEach
    void stopAll() {
        if (flight != null) {
            flight.stop();
        }
        Trace.stop();
        pool.shutdownNow();
        Await.terminated(pool);
    }

    /** The writer thread of the running recording, once it is blocked on {@code ring}'s lock in {@code offer}. */
    private static Thread writerBlockedOn(FlightRing ring) {
        Thread[] found = new Thread[1];
        Await.until("the writer thread waits for the ring's lock", () -> {
            for (var e : Thread.getAllStackTraces().entrySet()) {
                Thread t = e.getKey();
                if (t.getName().equals("asynctrace-writer") && t.getState() == Thread.State.BLOCKED
                        && Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(FlightRing.class.getName()))) {
                    found[0] = t;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static boolean inRequest(Thread t) {
        return Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals(SegmentWriter.class.getName())
                && f.getMethodName().equals("request"));
    }

    /** Runs {@code body} on a thread of its own; returns that thread (once started) and its result. */
    private Thread[] calling(Runnable body, CompletableFuture<Void> result) {
        Thread[] thread = new Thread[1];
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        pool.execute(() -> {
            thread[0] = Thread.currentThread();
            started.countDown();
            try {
                body.run();
                result.complete(null);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Await.latch("the caller's thread started", started);
        return thread;
    }

    /**
     * Review 13 item 5: the writer counted down an attach it never served, so Trace.start
     * returned as if attached, and Trace.stop then waited forever for a sink nobody closed.
     */
    @Test
    void anAttachTheWriterDiedBeforeServingIsRefusedAndStopDoesNotHang() throws Exception {
        flight = new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FAST);
        flight.start();
        Recorder r = Recorder.active;
        FlightRing ring = Recordings.ringForTest();
        CompletableFuture<Void> start = new CompletableFuture<>();
        synchronized (ring) {
            Trace.newTask("pending").end(); // a segment to offer: the writer blocks in the ring's offer
            writerBlockedOn(ring);
            Thread caller = calling(() -> Trace.start(new ByteArrayOutputStream()), start)[0];
            Await.until("Trace.start waits for the writer to attach its output", () -> inRequest(caller));
            r.writer.failForTest(new Error("injected writer failure"));
        }
        assertThatThrownBy(() -> Await.value("Trace.start", start))
                .as("an output the writer never attached is refused")
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage("the recording ended while Trace.start attached its output");
        Future<RecordingStats> stop = pool.submit(Trace::stop);
        Await.value("Trace.stop returns", stop);
        Await.until("the flight recorder stopped with its recording", () -> !flight.isRunning());
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Trace.start(again);
        Trace.newTask("after").end();
        assertThat(Trace.stop().failure()).isEmpty();
    }

    /** A detach the writer never served (it died first): the output is closed, cut short, and Trace.stop returns. */
    @Test
    void aDetachTheWriterDiedBeforeServingClosesTheOutput() throws Exception {
        flight = new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FAST);
        flight.start();
        Recorder r = Recorder.active;
        FlightRing ring = Recordings.ringForTest();
        Trace.start(new ByteArrayOutputStream());
        CompletableFuture<Void> stop = new CompletableFuture<>();
        RecordingStats[] stats = new RecordingStats[1];
        synchronized (ring) {
            Trace.newTask("pending").end();
            writerBlockedOn(ring);
            Thread caller = calling(() -> stats[0] = Trace.stop(), stop)[0];
            Await.until("Trace.stop waits for the writer to detach its output", () -> inRequest(caller));
            r.writer.failForTest(new Error("injected writer failure"));
        }
        Await.value("Trace.stop returns", stop);
        assertThat(stats[0].failure()).as("the output was cut short by the writer's failure").isPresent();
    }
}
