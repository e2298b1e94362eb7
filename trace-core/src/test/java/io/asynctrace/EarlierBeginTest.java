package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A task in flight when an output is attached gets its begin there with everything its
 * begin had: type, parent, true start and the attributes recorded so far (review 16,
 * DEFECT 2: a live exporter or a mid-way file put such a request in the wrong trace).
 */
class EarlierBeginTest {
    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        Recorder r = Recorder.active;
        if (r != null) {
            r.writer.afterStripeForTest(null);
        }
        flights.stopAll();
    }

    /** Another thread's event on {@code t} in the current epoch: it claims the task's earlier begin, and throws nothing. */
    private static void claimFromAnotherThread(Task t) {
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                t.log("step", "in the new epoch");
            } catch (Throwable x) {
                thrown.set(x);
            }
        });
        other.start();
        io.asynctrace.testing.Await.joined(other);
        assertThat(thrown.get()).as("nothing thrown into the application").isNull();
    }

    private TraceModel fileAttachedWhile(Task inFlight, Runnable after) throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        after.run();
        inFlight.end("ok");
        Trace.stop();
        return TraceModel.read(new ByteArrayInputStream(file.toByteArray()));
    }

    @Test
    void aFileAttachedMidWayHasTheAttributesATaskHadBeforeIt() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FlightFixtures.FAST));
        Task parent = Trace.newTask("request");
        Task before = Trace.newTask("order", parent);
        before.attr("trace.id", "4bf92f3577b34da6a3ce929d0e0e4736").attr("trace.parent_id", "00f067aa0ba902b7");
        before.attr("region", "us").attr("region", "eu"); // set again: the latest value
        TraceModel m = fileAttachedWhile(before, () -> before.attr("http.target", "/orders/7"));
        assertThat(m.complete()).isTrue();
        assertThat(m.dropped()).isZero();
        TaskInfo t = m.task(before.id());
        assertThat(t.hasStart()).isTrue();
        assertThat(t.startedBeforeTrace()).isTrue();
        assertThat(t.type()).isEqualTo("order");
        assertThat(t.parentId()).isEqualTo(parent.id());
        assertThat(t.start()).isEqualTo(before.startNanos() - m.header().monotonicBase());
        assertThat(t.attributes()).containsEntry("trace.id", "4bf92f3577b34da6a3ce929d0e0e4736")
                .containsEntry("trace.parent_id", "00f067aa0ba902b7").containsEntry("region", "eu")
                .containsEntry("http.target", "/orders/7").hasSize(4);
        parent.end();
    }

    @Test
    void attributesPastTheBoundAreCountedAsDroppedInTheOutputThatLacksThem() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FlightFixtures.FAST));
        Task before = Trace.newTask("wide");
        int extra = 3;
        for (int i = 0; i < Task.MAX_KEPT_ATTRIBUTES + extra; i++) {
            before.attr("k" + i, "v" + i);
        }
        before.attr("k0", "again"); // a kept key set again is no new key
        TraceModel m = fileAttachedWhile(before, () -> { });
        assertThat(m.task(before.id()).attributes()).hasSize(Task.MAX_KEPT_ATTRIBUTES).containsEntry("k0", "again")
                .doesNotContainKey("k" + Task.MAX_KEPT_ATTRIBUTES);
        assertThat(m.dropped()).as("the attributes the earlier begin could not carry").isEqualTo(extra);
    }

    @Test
    void anAttributeValueIsCutAsTheRecorderCutsIt() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FlightFixtures.FAST));
        Task before = Trace.newTask("long");
        before.attr("sql", "x".repeat(5000));
        TraceModel m = fileAttachedWhile(before, () -> { });
        assertThat(m.task(before.id()).attributes().get("sql")).hasSize(io.asynctrace.internal.format.Wire.MAX_NAME_CHARS);
    }

    @Test
    void tracingOffKeepsNothing() {
        Task off = Trace.newTask("off");
        off.attr("k", "v");
        assertThat(off.keptAttributes()).isNull();
    }

    /**
     * An attribute recorded under the epoch before an attach, kept only after another
     * thread met the task in the new epoch and claimed its earlier begin (which took the
     * attributes kept by then): the new output has it once, at its time, the flight ring
     * once. The two halves of {@link Task#attr} are called as it calls them, with the
     * attach and the other thread's event in between (a thread descheduled there).
     */
    @Test
    void anAttributeKeptAfterAnotherThreadClaimedTheBeginReachesTheNewOutput() throws Exception {
        HalfCall call = halfCallThenAttach(false); // not counted in flight: the claim's begin is not unsure
        Task t = call.task();
        claimFromAnotherThread(t); // claims the begin, without the value
        assertThat(t.knownBegin()).isGreaterThan(call.recordedEpoch());
        call.finish(); // Task.attr's second half
        t.end("ok");
        RecordingStats stats = Trace.stop();
        assertThat(stats.droppedEvents()).isZero();
        assertThat(traceIds(call.file().toByteArray(), t.id())).as("the file attached in between").containsExactly("t-late");
        ByteArrayOutputStream ring = new ByteArrayOutputStream();
        call.flight().writeTo(ring);
        assertThat(traceIds(ring.toByteArray(), t.id())).as("the flight ring, there since before").containsExactly("t-late");
    }

    /**
     * The D1 path with its thread descheduled for the new output's whole life: the attribute
     * is recorded under the epoch before the attach, another thread claims the task's begin
     * for the new output without it, and the output leaves before the call keeps the value
     * (and queues it apart). It was lost to that output, uncounted: the detach now waits for
     * the call (within its deadline), and counts it lost to the output when the call is still
     * under way. Fails before (the file has no trace.id and counts no drop).
     */
    @Test
    void anAttributeCallUnderWayForAnOutputsWholeLifeIsCountedLostToIt() throws Exception {
        HalfCall call = halfCallThenAttach();
        Task t = call.task();
        ByteArrayOutputStream file = call.file();
        claimFromAnotherThread(t); // claims the begin, without the value
        assertThat(t.knownBegin()).isGreaterThan(call.recordedEpoch());
        RecordingStats stats = Trace.stop(); // the file leaves while the call is still under way
        call.finish(); // the rest of it
        assertThat(traceIds(file.toByteArray(), t.id())).as("the file attached in between").isEmpty();
        assertThat(stats.droppedEvents()).as("the value it lacks, counted lost to it").isEqualTo(1);
        t.end("ok");
        ByteArrayOutputStream ring = new ByteArrayOutputStream();
        call.flight().writeTo(ring);
        assertThat(traceIds(ring.toByteArray(), t.id())).as("the flight ring, there since before").containsExactly("t-late");
    }

    /**
     * As above, but the call keeps its value while the detach waits for it (a hook in the
     * wait): the value, queued apart after the final segment took the queue, goes with the
     * leaving file's final segment, once, and nothing is counted lost.
     */
    @Test
    void anAttributeCallThatEndsWhileTheDetachWaitsReachesTheLeavingOutput() throws Exception {
        HalfCall call = halfCallThenAttach();
        Task t = call.task();
        Recorder r = call.recorder();
        ByteArrayOutputStream file = call.file();
        claimFromAnotherThread(t);
        java.util.concurrent.atomic.AtomicInteger waited = new java.util.concurrent.atomic.AtomicInteger();
        r.earlierBegins.awaitingKeepsForTest = () -> {
            r.earlierBegins.awaitingKeepsForTest = null;
            waited.incrementAndGet();
            call.finish(); // the call's thread, back while the detach waits
        };
        RecordingStats stats = Trace.stop();
        assertThat(waited).as("the detach waited for the call").hasValue(1);
        assertThat(stats.droppedEvents()).isZero();
        assertThat(traceIds(file.toByteArray(), t.id())).as("the file attached in between").containsExactly("t-late");
        t.end("ok");
        ByteArrayOutputStream ring = new ByteArrayOutputStream();
        call.flight().writeTo(ring);
        assertThat(traceIds(ring.toByteArray(), t.id())).as("the flight ring, there since before").containsExactly("t-late");
    }

    /**
     * Review 81 D1: as above, but the call keeps its value during the detach's second pass
     * (from the hook after that pass's first stripe, on the writer), queued apart for the
     * file, and a segment that pass cuts for the outputs that stay takes the queue (a
     * {@code take}, as a cut does) and lets the unsure begin go as its call is over. The
     * detach then found nothing to wait for and no value queued: the file ended without the
     * value and counted nothing lost. Fails before (the file has no trace.id).
     */
    @Test
    void anAttributeQueuedApartDuringTheDetachsSecondPassReachesTheLeavingOutput() throws Exception {
        HalfCall call = halfCallThenAttach();
        Task t = call.task();
        Recorder r = call.recorder();
        claimFromAnotherThread(t);
        assertThat(t.knownBegin()).isGreaterThan(call.recordedEpoch());
        java.util.concurrent.atomic.AtomicInteger sweeps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean kept = new java.util.concurrent.atomic.AtomicBoolean();
        r.writer.afterStripeForTest(i -> {
            if (i == 0 && sweeps.incrementAndGet() == 2) { // the detach's first pass, then its second
                call.finish(); // queued apart
                r.earlierBegins.take(java.util.List.of()); // as a segment the second pass cuts for the outputs that stay
                kept.set(true);
            }
        });
        RecordingStats stats = Trace.stop();
        r.writer.afterStripeForTest(null);
        assertThat(kept).as("the call kept its value in the detach's second pass").isTrue();
        assertThat(stats.droppedEvents()).as("nothing is lost").isZero();
        assertThat(traceIds(call.file().toByteArray(), t.id())).as("the file attached in between").containsExactly("t-late");
        t.end("ok");
        ByteArrayOutputStream ring = new ByteArrayOutputStream();
        call.flight().writeTo(ring);
        assertThat(traceIds(ring.toByteArray(), t.id())).as("the flight ring, there since before").containsExactly("t-late");
    }

    /**
     * Review 63 R3, through the real loop ({@link EarlierBegins#begin}): a thread queues a
     * task's earlier begin and is descheduled before it claims it, long enough for the writer
     * to give up on it; its claim then wins, is undone, and the begin queued again. While the
     * undone claim stood, an attribute recorded under the epoch before the attach was kept,
     * so queued apart. The file has the begin once and the attribute once, and counts no drop.
     * Fails before: one drop counted for the begin the file has, and the attribute twice (apart,
     * and in the begin queued again).
     */
    @Test
    void aClaimUndoneAfterTheWriterGaveUpOnItsBeginCountsNothingAndWritesNothingTwice() throws Exception {
        HalfCall call = halfCallThenAttach();
        Task t = call.task();
        Recorder r = call.recorder();
        ByteArrayOutputStream file = call.file();
        java.util.concurrent.atomic.AtomicInteger undone = new java.util.concurrent.atomic.AtomicInteger();
        r.earlierBegins.claimStageForTest = (stage, e) -> {
            if (stage == EarlierBegins.QUEUED && e.task == t.id() && undone.get() == 0) {
                // Descheduled before its claim: the writer's periodic cut gives up on the begin.
                io.asynctrace.testing.Await.until("the writer gave up on the begin", e::abandoned);
            } else if (stage == EarlierBegins.ABANDONED_CLAIM_WON) {
                undone.incrementAndGet();
                call.finish(); // kept while the claim stood: queued apart
            }
        };
        Thread other = new Thread(() -> t.log("step", "in the new epoch"));
        other.start();
        io.asynctrace.testing.Await.joined(other);
        r.earlierBegins.claimStageForTest = null;
        assertThat(undone).as("the claim won on the abandoned begin, and was undone").hasValue(1);
        t.end("ok");
        RecordingStats stats = Trace.stop();
        assertThat(FlightFixtures.taskUse(file.toByteArray()).begins()).containsEntry(t.id(), 1);
        assertThat(traceIds(file.toByteArray(), t.id())).as("the file attached in between").containsExactly("t-late");
        assertThat(stats.droppedEvents()).as("nothing lost: the begin was queued again").isZero();
        ByteArrayOutputStream ring = new ByteArrayOutputStream();
        call.flight().writeTo(ring);
        assertThat(traceIds(ring.toByteArray(), t.id())).as("the flight ring, there since before").containsExactly("t-late");
    }

    /**
     * Review 81 R1: an Error (out of memory) as a claim that won took the task's attributes
     * escaped the application's call ({@code log} here) and left the begin unsettled: the
     * writer waited a second for it and gave up, the claim stood, and the file never got the
     * task's begin (counted only as it left). Now the call returns, the begin goes at once
     * without the attributes, and the two keys it lacks are counted in the file; the flight
     * ring, there since before, has them and counts nothing.
     */
    @Test
    void anErrorTakingTheAttributesAfterAWonClaimStaysOutOfTheCallAndTheBeginStillGoes() throws Exception {
        FlightRecorder flight = flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20)
                .withOptions(FlightFixtures.FAST));
        Task t = Trace.newTask("order");
        t.attr("trace.id", "t-early").attr("region", "eu");
        Recorder r = Recorder.active;
        java.util.concurrent.atomic.AtomicInteger struck = new java.util.concurrent.atomic.AtomicInteger();
        r.earlierBegins.claimStageForTest = (stage, e) -> {
            if (stage == EarlierBegins.CLAIM_WON && e.task == t.id() && struck.getAndIncrement() == 0) {
                throw new OutOfMemoryError("injected: no room for the attributes' copy");
            }
        };
        TraceModel m = fileAttachedWhile(t, () -> claimFromAnotherThread(t));
        r.earlierBegins.claimStageForTest = null;
        assertThat(struck).as("the claim won, and its attributes' copy failed").hasValue(1);
        TaskInfo inFile = m.task(t.id());
        assertThat(inFile.hasStart()).as("the begin reached the file").isTrue();
        assertThat(inFile.type()).isEqualTo("order");
        assertThat(inFile.attributes()).isEmpty();
        assertThat(m.dropped()).as("the two keys the begin could not carry").isEqualTo(2);
        ByteArrayOutputStream ring = new ByteArrayOutputStream();
        flight.writeTo(ring);
        TraceModel inRing = TraceModel.read(new ByteArrayInputStream(ring.toByteArray()));
        assertThat(inRing.task(t.id()).attributes()).containsEntry("trace.id", "t-early").containsEntry("region", "eu");
        assertThat(inRing.dropped()).isZero();
    }

    /**
     * Review 61 R3: the writer gives up on a begin whose claim is not decided within its
     * wait (counted as dropped); a claim that wins after that must learn it, to undo the
     * claim and queue the begin again, else no output would ever get that begin.
     */
    @Test
    void aBeginTheWriterGaveUpOnTellsTheClaimThatWinsAfter() {
        Task t = new Task(1, 0, "late", System.nanoTime());
        EarlierBegin given = new EarlierBegin(1, "t", t, 0, 5, -1);
        assertThat(given.awaitSettled(System.nanoTime() - 1)).as("not settled within the wait").isFalse();
        assertThat(given.abandoned()).isTrue();
        assertThat(given.settle(true)).as("a claim that won after the writer gave up is told so").isFalse();
        assertThat(given.awaitSettled(System.nanoTime())).as("and the begin is not written").isFalse();
        EarlierBegin settled = new EarlierBegin(1, "t", t, 0, 5, -1);
        assertThat(settled.settle(true)).isTrue();
        assertThat(settled.awaitSettled(System.nanoTime() - 1)).isTrue();
    }

    /**
     * A flight recorder, a task, and an attribute call on it ({@code trace.id = t-late}) as far
     * as {@code Task.recordAttribute}'s first half: counted in flight and recorded under the epoch
     * before the attach; then a file attached. {@link HalfCall#finish} is the call's second half.
     */
    private HalfCall halfCallThenAttach() {
        return halfCallThenAttach(true);
    }

    /** {@link #halfCallThenAttach()}; {@code counted}: the call counted in flight, as {@code Task.recordAttribute} counts it. */
    private HalfCall halfCallThenAttach(boolean counted) {
        FlightRecorder flight = flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20)
                .withOptions(FlightFixtures.FAST));
        Task t = Trace.newTask("order");
        Recorder r = Recorder.active;
        ThreadState st = ThreadState.current();
        long ts = System.nanoTime();
        if (counted) {
            t.attributeInFlightForTest(1);
        }
        int recordedEpoch = r.attribute(st, ts, false, t.id(), t, "trace.id", "t-late");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        return new HalfCall(flight, t, r, st, ts, recordedEpoch, file, counted);
    }

    private record HalfCall(FlightRecorder flight, Task task, Recorder recorder, ThreadState state, long ts,
                            int recordedEpoch, ByteArrayOutputStream file, boolean counted) {
        /** The call's second half: the value kept (or queued apart), the call no longer in flight. */
        void finish() {
            task.keepRecorded(recorder, state, ts, recordedEpoch, "trace.id", "t-late");
            if (counted) {
                task.attributeInFlightForTest(-1);
            }
        }
    }

    private static java.util.List<String> traceIds(byte[] trace, long task) throws java.io.IOException {
        java.util.List<String> values = new java.util.ArrayList<>();
        try (io.asynctrace.reader.TraceReader reader = new io.asynctrace.reader.TraceReader(
                new ByteArrayInputStream(trace))) {
            reader.read(new io.asynctrace.reader.TraceHandler() {
                @Override
                public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
                    if (!onSpan && target == task && key.equals("trace.id")) {
                        values.add(value);
                    }
                }
            });
        }
        return values;
    }
}
