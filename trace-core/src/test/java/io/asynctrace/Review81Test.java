package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.internal.format.EventEncoder;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Review 81: b4f2f47 (a begin's snapshot is taken after its claim, outside the task's
 * monitor) and 9cc9970 (a detach waits for attribute calls after its second pass).
 */
class Review81Test {
    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        Recorder r = Recorder.active;
        if (r != null) {
            r.writer.afterStripeForTest(null);
        }
        flights.stopAll();
    }

    /**
     * D1: an attribute call recorded under the epoch before a file's attach, under way when
     * another thread's event claims the task's begin for the file (so the begin is unsure),
     * keeps its value during the detach's second pass: queued apart for the file, and a
     * segment that pass cuts for the other outputs takes the queue (here on the writer, from
     * the hook after the second pass's first stripe) and lets the unsure begin go as its call
     * is over. The detach then found nothing to wait for and no value queued: the file ended
     * without the value and counted nothing lost. Fails before (the file has no trace.id).
     */
    @Test
    void anAttributeQueuedApartDuringTheDetachsSecondPassReachesTheLeavingOutput() throws Exception {
        FlightRecorder flight = flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20)
                .withOptions(FlightFixtures.FAST));
        Task t = Trace.newTask("order");
        Recorder r = Recorder.active;
        ThreadState st = ThreadState.current();
        long ts = System.nanoTime();
        t.attributeInFlightForTest(1); // Task.recordAttribute's first half, by hand (as EarlierBeginTest)
        int recordedEpoch = r.attribute(st, ts, false, t.id(), t, "trace.id", "t-late");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        Thread other = new Thread(() -> t.log("step", "in the new epoch")); // claims the begin, without the value
        other.start();
        other.join();
        assertThat(t.knownBegin()).isGreaterThan(recordedEpoch);
        AtomicInteger sweeps = new AtomicInteger();
        AtomicBoolean kept = new AtomicBoolean();
        r.writer.afterStripeForTest(i -> {
            if (i == 0 && sweeps.incrementAndGet() == 2) { // the detach's first pass, then its second
                t.keepRecorded(r, st, ts, recordedEpoch, "trace.id", "t-late"); // the call's second half: queued apart
                t.attributeInFlightForTest(-1);
                r.earlierBegins.take(List.of()); // as a segment the second pass cuts for the outputs that stay
                kept.set(true);
            }
        });
        RecordingStats stats = Trace.stop();
        r.writer.afterStripeForTest(null);
        assertThat(kept).as("the call kept its value in the detach's second pass").isTrue();
        assertThat(FlightFixtures.taskUse(file.toByteArray()).traceIds()).as("the file attached in between")
                .contains(t.id());
        assertThat(stats.droppedEvents()).as("nothing is lost").isZero();
        t.end("ok");
        ByteArrayOutputStream ring = new ByteArrayOutputStream();
        flight.writeTo(ring);
        assertThat(FlightFixtures.taskUse(ring.toByteArray()).traceIds()).as("the flight ring, there since before")
                .contains(t.id());
    }
    private static Task withAllKeysKept() {
        Task t = new Task(424242, 0, "x", System.nanoTime());
        for (int i = 0; i < Task.MAX_KEPT_ATTRIBUTES; i++) {
            t.keep("k" + i, "v", 1);
        }
        return t;
    }

    /**
     * D2 (the reviewer's test): a key past the kept bound, kept by another thread between a
     * claim for epoch 5 and the claiming thread's snapshot, was recorded under 5: an output
     * attached at 5 has it as its own event. The begin counted it lost to that output (1
     * dropped for a value the output holds). Fails before (expected 0, was 1).
     */
    @Test
    void aCutKeyKeptAfterTheClaimUnderItsEpochIsNotCountedCut() {
        Task t = withAllKeysKept();
        EarlierBegin e = new EarlierBegin(1, "th", t, 0, 5, EventEncoder.NO_STACK);
        assertThat(t.claimBegin(0, 5)).isTrue();
        t.keep("k17", "v", 5); // X's keep between T's claim and T's snapshot: its event is under 5
        e.fill(t.keptAttributes());
        assertThat(e.attributesCut(5)).as("output attached at 5 has k17 as its own event").isZero();
    }

    /** The other side: an output attached after every call of a cut key lacks it, and is told; each cut key once. */
    @Test
    void aCutKeyIsCountedLostToOutputsAttachedAfterItsCalls() {
        Task t = withAllKeysKept();
        t.keep("k17", "a", 2);
        t.keep("k17", "b", 3); // the same key again: one key lost, not two
        t.keep("k18", "c", 6);
        EarlierBegin e = new EarlierBegin(1, "th", t, 0, 9, EventEncoder.NO_STACK);
        assertThat(t.claimBegin(0, 9)).isTrue();
        e.fill(t.keptAttributes());
        assertThat(e.attributesCut(3)).as("attached at 3: has k17 (recorded under 3) and k18").isZero();
        assertThat(e.attributesCut(4)).as("attached at 4: lacks k17 only").isEqualTo(1);
        assertThat(e.attributesCut(7)).as("attached at 7: lacks both").isEqualTo(2);
        assertThat(e.events(7)).as("the begin, the 16 kept values and the 2 cut keys").isEqualTo(1 + 16 + 2);
    }
}
