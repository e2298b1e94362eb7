package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The always-on path under errors and idle threads: bounded locks, no pinned recordings, bounded JFR. */
class HardeningTest {

    @AfterEach
    void stop() {
        Trace.stop();
    }

    private static int depth;

    /** Logs at every level of a recursion until the stack overflows, somewhere inside the recorder at times. */
    private static void deep(int padding) {
        depth++;
        long[] frame = new long[padding]; // frames of varying size move where the overflow strikes
        frame[0] = depth;
        Trace.log("deep", "level");
        deep(padding);
    }

    @Test
    void anErrorInsideAnEventNeverLeavesAStripeLocked() throws Exception {
        Trace.start(new ByteArrayOutputStream(), TraceOptions.defaults().withMaxThreadBuffers(0));
        Recorder r = Recordings.active;
        Thread t = new Thread(null, () -> {
            for (int i = 0; i < 100; i++) {
                depth = 0;
                try {
                    deep(1 + i % 7);
                } catch (StackOverflowError expected) {
                    // the point: where it struck, nothing must stay locked
                }
            }
        }, "overflowing", 256 * 1024);
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(120));
        assertThat(t.isAlive()).isFalse();
        // A stripe the overflowing thread still held when it ended is freed by the writer thread.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean allFree = false;
        while (!allFree && System.nanoTime() < deadline) {
            allFree = true;
            for (Stripe s : r.stripes) {
                if (s.tryLock()) {
                    s.unlock();
                } else {
                    allFree = false;
                }
            }
            Thread.sleep(5);
        }
        assertThat(allFree).as("every stripe is free again").isTrue();
        Trace.log("after", "the storm");
        assertThat(Trace.flush()).isTrue();
    }

    /** As {@link #deep}, each log carrying the clock read just before it, 2 µs apart. */
    private static void deepTimed(int padding) {
        depth++;
        long[] frame = new long[padding];
        frame[0] = depth;
        Trace.log("timed", Long.toString(System.nanoTime()));
        long until = System.nanoTime() + 2_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        deepTimed(padding);
    }

    @Test
    void anErrorInsideAnEventLeavesTheEventsAfterItInStep() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out); // leased buffers: the thread's batch goes on across events
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Thread t = new Thread(null, () -> {
            for (int i = 0; i < 150 && System.nanoTime() < deadline; i++) {
                depth = 0;
                try {
                    deepTimed(1 + i % 7);
                } catch (StackOverflowError expected) {
                    // an overflow inside an event's encoder must not shift the events after it
                }
            }
        }, "overflowing-leased", 128 * 1024);
        t.start();
        io.asynctrace.testing.Await.joined(t);
        Trace.stop();
        io.asynctrace.reader.TraceModel m = io.asynctrace.testing.TraceModels.read(out.toByteArray());
        long base = m.header().monotonicBase();
        var timed = m.logs().stream().filter(l -> l.category().equals("timed")).toList();
        assertThat(timed).hasSizeGreaterThan(100);
        // Each event's time is at or after the clock read before it: a batch whose delta state ran ahead of
        // its bytes (the encoder threw after moving it) shifts the times of the events after it back.
        assertThat(timed.stream().filter(l -> l.time() + base < Long.parseLong(l.message())).findFirst())
                .as("a log whose time is before the clock read ahead of it").isEmpty();
    }

    @Test
    void anIdleThreadDoesNotKeepAStoppedRecordingAlive() throws Exception {
        Trace.start(new ByteArrayOutputStream());
        WeakReference<Recorder> recording = new WeakReference<>(Recordings.active);
        CountDownLatch recorded = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread idle = new Thread(() -> {
            Trace.log("once", "then idle");
            recorded.countDown();
            try {
                done.await(); // alive and idle: its thread-local state stays
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "idle");
        idle.start();
        try {
            assertThat(recorded.await(20, TimeUnit.SECONDS)).isTrue();
            Trace.stop();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (recording.get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertThat(recording.get()).as("the stopped recording is collected").isNull();
        } finally {
            done.countDown();
            idle.join();
        }
    }

    @Test
    void theJfrStreamIsBoundedInAgeAndSize() {
        java.util.Set<Long> before = new java.util.HashSet<>();
        jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().forEach(x -> before.add(x.getId()));
        Trace.start(new ByteArrayOutputStream(), TraceOptions.defaults().withRuntimeEvents(RuntimeEvents.defaults()));
        var ours = jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().stream()
                .filter(x -> !before.contains(x.getId())).toList();
        assertThat(ours).isNotEmpty().allSatisfy(x -> {
            assertThat(x.getMaxAge()).isEqualTo(Duration.ofSeconds(JfrStream.MAX_AGE_SECONDS));
            assertThat(x.getMaxSize()).isEqualTo(JfrStream.MAX_SIZE_BYTES);
        });
    }

    @Test
    void aStopThatGivesUpWaitingForJfrSaysSoWithADataLossEvent() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withRuntimeEvents(RuntimeEvents.defaults()));
        JfrBridge jfr = Recordings.active.runtimeForTest();
        org.junit.jupiter.api.Assumptions.assumeTrue(jfr instanceof JfrStream, "JDK Flight Recorder is available");
        ((JfrStream) jfr).lateLastMarkerForTest(Duration.ofMillis(200));
        Trace.log("before", "stop");
        Trace.stop();
        io.asynctrace.reader.TraceModel m = io.asynctrace.testing.TraceModels.read(out.toByteArray());
        assertThat(m.complete()).isTrue();
        assertThat(m.runtime()).as("a data-loss event says stop did not wait for JFR's last events")
                .anySatisfy(r -> {
                    assertThat(r.kind()).isEqualTo(io.asynctrace.reader.RuntimeKind.DATA_LOSS);
                    assertThat(r.detail()).isEqualTo("the JFR stream had not caught up 200 ms after the trace"
                            + " stopped: its latest events are missing");
                });
    }

    @Test
    void theClockOffsetIsTheBestSampleOfTheWindowNotTheLatest() {
        ClockOffset clock = new ClockOffset(0);
        assertThat(clock.measured()).isFalse();
        // JFR's clock is 1 000 000 ns ahead; each sample adds the delay between the two reads.
        clock.sample(1_000 + 1_000_000 + 50, 1_000);
        clock.sample(2_000 + 1_000_000 + 3, 2_000); // the best: 3 ns of delay
        clock.sample(3_000 + 1_000_000 + 15_000, 3_000); // the latest, delayed by a preemption: 15 µs
        assertThat(clock.offset()).isEqualTo(1_000_003);
        for (int i = 0; i < ClockOffset.WINDOW; i++) {
            clock.sample(5_000_000 + 1_000_010 + i, 5_000_000 + i); // the window moves on past the best one
        }
        assertThat(clock.offset()).isEqualTo(1_000_010);
    }
}
