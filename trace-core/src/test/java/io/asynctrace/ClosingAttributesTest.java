package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A file detached from a flight recorder's recording has, for every task with events in
 * it, the attributes recorded on the task before those events (Review55Test's
 * {@code trace.id}, set before the task is shared), also when the detach's first sweep
 * passed the attribute's stripe before it was committed and took the later event from a
 * stripe it reached after. Deterministic: the writer thread itself records the events,
 * from the hook it runs after each stripe it took ({@link BufferCollector#afterStripeForTest}),
 * choosing each event's stripe.
 */
class ClosingAttributesTest {
    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        Recorder r = Recorder.active;
        if (r != null) {
            r.writer.afterStripeForTest(null);
        }
        flights.stopAll();
    }

    /** Every thread writes through the stripes; the hook is armed once for the detach. */
    private Recorder sharedRecording(ByteArrayOutputStream file) {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20)
                .withOptions(FlightFixtures.FAST.withMaxThreadBuffers(0)));
        Trace.start(file);
        Recorder r = Recorder.active;
        assertThat(r.stripes.length).isGreaterThanOrEqualTo(4);
        return r;
    }

    /** Runs {@code events} once, on the writer thread, right after the detach's first sweep took stripe {@code after}. */
    private static AtomicBoolean arm(Recorder r, int after, Runnable events) {
        AtomicBoolean ran = new AtomicBoolean();
        r.writer.afterStripeForTest(i -> {
            if (i == after && ran.compareAndSet(false, true)) {
                events.run();
            }
        });
        return ran;
    }

    /** The next event of the calling thread goes to stripe {@code i} (it is free: the writer is between stripes). */
    private static void onStripe(int i) {
        ThreadState.current().stripe = i;
    }

    /**
     * The task's begin went out in an earlier segment of the file (a flush), so the final
     * segment has the task's log but not its begin: the attribute the detach's second pass
     * finds must still be copied.
     */
    @Test
    void anAttributeBeforeALogIsKeptWhenTheBeginWasInAnEarlierSegment() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Recorder r = sharedRecording(file);
        Task t = Trace.newTask("shared");
        assertThat(Trace.flush()).isTrue(); // its begin is in a segment before the file's final one
        AtomicBoolean ran = arm(r, 0, () -> {
            onStripe(0);
            t.attr("trace.id", "t1"); // into stripe 0, which the first sweep has passed
            onStripe(1);
            t.log("step", "after the attribute"); // into stripe 1, which it takes next
        });
        RecordingStats stats = Trace.stop();
        assertThat(ran).isTrue();
        assertThat(stats.droppedEvents()).isZero();
        FlightFixtures.TaskUse use = FlightFixtures.taskUse(file.toByteArray());
        assertThat(use.events()).contains(t.id());
        assertThat(use.begins()).containsEntry(t.id(), 1);
        assertThat(use.traceIds()).as("the trace.id recorded before the task's log, in the file that has the log")
                .contains(t.id());
    }

    /**
     * The begin and the attribute are both committed into stripes the first sweep passed,
     * the attribute into a lower one: the second pass meets the attribute before the begin
     * and must not leave it out for that.
     */
    @Test
    void anAttributeMetBeforeItsBeginInTheSecondPassIsKept() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Recorder r = sharedRecording(file);
        AtomicReference<Task> task = new AtomicReference<>();
        AtomicBoolean ran = arm(r, 2, () -> {
            onStripe(2);
            Task t = Trace.newTask("shared"); // begin into stripe 2, passed
            onStripe(0);
            t.attr("trace.id", "t2"); // into stripe 0, passed, lower
            onStripe(3);
            t.log("step", "after the attribute"); // into stripe 3, taken by the first sweep
            task.set(t);
        });
        RecordingStats stats = Trace.stop();
        assertThat(ran).isTrue();
        assertThat(stats.droppedEvents()).isZero();
        long id = task.get().id();
        FlightFixtures.TaskUse use = FlightFixtures.taskUse(file.toByteArray());
        assertThat(use.events()).contains(id);
        assertThat(use.begins()).containsEntry(id, 1);
        assertThat(use.traceIds()).as("the trace.id met before its begin by the detach's second pass").contains(id);
    }

    /**
     * The detach's first pass takes more than a segment's worth ({@link SegmentWriter#SEGMENT_TARGET}),
     * so it cuts a segment of the file mid-pass: the task's log goes out in that one, not in
     * the final one, and the attribute the second pass finds must still be copied. (Review61Test's
     * stress lost 4 trace.ids in 1 of 61 files this way: only the final segment, and the one cut
     * apart before it, were read for the tasks whose attributes the pass copies.)
     */
    @Test
    void anAttributeBeforeALogInASegmentTheFirstPassCutMidWayIsKept() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Recorder r = sharedRecording(file);
        Task t = Trace.newTask("shared");
        Task filler = Trace.newTask("filler");
        assertThat(Trace.flush()).isTrue();
        String text = "x".repeat(1000);
        int fills = 2 * SegmentWriter.SEGMENT_TARGET / 1000;
        AtomicBoolean ran = arm(r, 0, () -> {
            onStripe(0);
            t.attr("trace.id", "t3"); // into stripe 0, which the first sweep has passed
            onStripe(1);
            t.log("step", "after the attribute"); // into stripe 1, which it takes next
            onStripe(2);
            for (int i = 0; i < fills; i++) {
                filler.log("fill", text); // two segments' worth after it, taken by the same pass
            }
        });
        RecordingStats stats = Trace.stop();
        assertThat(ran).isTrue();
        assertThat(stats.droppedEvents()).isZero();
        FlightFixtures.TaskUse use = FlightFixtures.taskUse(file.toByteArray());
        assertThat(use.events()).contains(t.id());
        assertThat(use.traceIds()).as("the trace.id recorded before the task's log, in a segment cut mid-pass")
                .contains(t.id());
    }

    /**
     * Review 61 (D3, R5): the second pass copied the begins of tasks created after the
     * final cut, while it ran (shown as open tasks past the file's last event, 27 of them
     * under load): a begin the file needs was recorded before the first pass ended.
     */
    @Test
    void aTaskCreatedAfterTheFinalCutIsNotInTheLeavingFile() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Recorder r = sharedRecording(file);
        AtomicReference<Task> late = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
        r.writer.afterStripeForTest(i -> {
            if (i == 0 && passes.incrementAndGet() == 2) { // the second pass, after the final segment was cut
                onStripe(1);
                late.set(Trace.newTask("after the cut")); // into stripe 1, which the second pass takes next
            }
        });
        Trace.stop();
        assertThat(late.get()).isNotNull();
        assertThat(FlightFixtures.taskUse(file.toByteArray()).begins())
                .as("the begin of a task created after the file's final cut").doesNotContainKey(late.get().id());
    }
}
