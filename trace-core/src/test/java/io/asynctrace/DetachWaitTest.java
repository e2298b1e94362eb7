package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.testing.Await;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a detach waits for, and what it does about what it waited for in vain: a leased
 * thread stuck in the middle of a buffer swap (its buffer then in its hands only) and
 * stripes held by a thread that does not let go.
 */
class DetachWaitTest {
    /** No periodic collect: only the attach and the detach take the buffers. */
    private static final TraceOptions NO_FLUSH = TraceOptions.defaults().withFlushIntervalMillis(60_000);

    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        flights.stopAll();
    }

    /**
     * The begins a thread stuck mid swap holds, of tasks another thread logged on (its log
     * in the final segment): the detach's second pass waited for the thread in vain and
     * counted one event lost, for three begins missing.
     */
    @Test
    void theBeginsAThreadStuckMidSwapHoldsReachTheLeavingFile() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(NO_FLUSH));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        List<Task> tasks = new CopyOnWriteArrayList<>();
        RecordingStats stats;
        try (StuckInSwap stuck = new StuckInSwap(() -> {
            for (int i = 0; i < 3; i++) {
                tasks.add(Trace.newTask("held"));
            }
        }).freeze()) {
            for (Task t : tasks) {
                t.log("step", "on another thread, taken by the detach's first pass");
            }
            stats = Trace.stop();
        }
        FlightFixtures.TaskUse use = FlightFixtures.taskUse(file.toByteArray());
        for (Task t : tasks) {
            assertThat(use.events()).contains(t.id());
            assertThat(use.begins()).as("the begin of " + t + ", in the stuck thread's buffer").containsEntry(t.id(), 1);
        }
        assertThat(stats.droppedEvents()).as("nothing the file needs is lost").isZero();
    }

    /**
     * Three stripes held by a thread that does not let go, and a thread stuck mid swap:
     * the detach waited a second per stripe and a second for the thread (four in all);
     * one deadline bounds it now. The stripes left out are counted (their events).
     */
    @Test
    void aDetachWaitsASecondInAll() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(NO_FLUSH));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        Recorder r = Recorder.active;
        assertThat(r.stripes.length).isGreaterThanOrEqualTo(3);
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = new Thread(() -> Await.latch("the test ends", done), "stripe-holder");
        holder.setDaemon(true);
        holder.start();
        long took;
        try (StuckInSwap stuck = new StuckInSwap(() -> Trace.newTask("held")).freeze()) {
            for (int i = 0; i < 3; i++) {
                assertThat(r.stripes[i].tryLock(holder)).isTrue();
            }
            long t0 = System.nanoTime();
            Trace.stop();
            took = System.nanoTime() - t0;
        } finally {
            for (int i = 0; i < 3; i++) {
                r.stripes[i].unlock();
            }
            done.countDown();
            Await.joined(holder);
        }
        System.out.println("DetachWaitTest: the detach took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
        assertThat(took).as("the detach's wait for three held stripes and a thread stuck mid swap, ns")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(2_000));
    }
}
