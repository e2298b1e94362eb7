package io.asynctrace;

import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.StackTableBytes;
import io.asynctrace.internal.format.StringTableBytes;
import java.util.Arrays;
import java.util.List;

/**
 * The writer thread's half that cuts segments: it keeps the batches {@link BufferCollector}
 * takes until a segment is due, encodes each segment once as a {@link SegmentBody} (the
 * string and stack tables as they stand, the queued earlier begins) and hands it to every
 * sink attached. Batches of an epoch some sink tells apart from the pending ones wait in
 * a segment of their own ({@link #older}): see {@link SegmentWriter}'s Assumptions and
 * guarantees. Writer thread only.
 */
final class SegmentCutter {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");

    private final Recorder recorder;
    /** The writer's sinks, as they stand at each cut (the writer changes them between cuts). */
    private final List<Sink> sinks;
    /** Batches for the next segment; {@link #older}: those of an epoch some sink tells apart from them. */
    private final PendingBatches pending = new PendingBatches(SegmentWriter.SEGMENT_TARGET + (64 << 10));
    private final PendingBatches older = new PendingBatches(64 << 10);
    private final StringTableBytes stringBytes = new StringTableBytes();
    /**
     * While a detach's first pass runs ({@link #keepOffered}): every body offered to the sinks
     * since it began, in order (segments cut mid-pass at {@link SegmentWriter#SEGMENT_TARGET},
     * the one {@link #cutLast} offers apart before the final one); else null.
     */
    private List<SegmentBody> offered;

    SegmentCutter(Recorder recorder, List<Sink> sinks) {
        this.recorder = recorder;
        this.sinks = sinks;
    }

    /** Lets the pending batches and the encoded string table go (the recording ended). */
    void release() {
        offered = null; // a detach cut short by the writer's failure leaves none kept
        pending.release();
        older.release();
        stringBytes.release();
    }

    /**
     * {@code last} with the begins of {@code extra} after its events, and the attributes
     * queued apart of {@code apart} ({@link EarlierBegins#awaitKeeps}) with its earlier begins,
     * for {@code leaving} alone (tables as they stand now, which the begins' references need);
     * {@code last} itself if there are none.
     */
    SegmentBody withBegins(SegmentBody last, ClosingBegins extra, List<EarlierBegin> apart, Sink leaving) {
        if (extra.count() == 0 && apart.isEmpty()) {
            return last;
        }
        List<EarlierBegin> begins = last == null ? apart : new java.util.ArrayList<>(last.begins());
        if (last != null) {
            begins.addAll(apart);
        }
        StackTableBytes.Snapshot stacks = recorder.stacks.encoded();
        encodeNewStrings();
        StringTableBytes.Snapshot strings = stringBytes.snapshot();
        byte[] add = extra.bytes();
        boolean own = last != null && leaving.takesEventsOf(last);
        byte[] events = add;
        if (own) {
            events = Arrays.copyOf(last.events(), last.eventsLength() + add.length);
            System.arraycopy(add, 0, events, last.eventsLength(), add.length);
        }
        SegmentBody body = new SegmentBody(strings, stacks, events, events.length,
                (own ? last.eventCount() : 0) + extra.count(), last == null ? recorder.dropped.get() : last.droppedTotal(),
                begins, own ? last.epoch() : leaving.attachEpoch());
        if (!SegmentCodec.fits(strings.length(), stacks, body.eventsLength())) {
            leaving.lost(extra.count() + apart.size()); // cannot happen within the tables' budgets; counted, never thrown
            return last;
        }
        return body;
    }

    /**
     * Appends a BATCH_RESUME header and the events it introduces, written under {@code epoch},
     * into the same segment: beside batches no sink tells apart from them, else into
     * {@link #older} (events written under an epoch older than what is pending: in flight
     * when a sink was attached), else the pending segments are cut first.
     */
    void appendUnit(int epoch, byte[] header, int headerLength, byte[] src, int offset, int length, int events) {
        if (length <= 0) {
            return;
        }
        int total = headerLength + length;
        PendingBatches into = pending.accepts(epoch, sinks) ? pending : older.accepts(epoch, sinks) ? older : null;
        if (into == null || !into.fits(total)) {
            emitSegment();
            into = pending;
        }
        into.add(epoch, header, headerLength, src, offset, length, events);
        if (into.length() >= SegmentWriter.SEGMENT_TARGET) {
            emitSegment();
        }
    }

    /** @return whether there is something to cut a segment of: batches, or earlier begins queued */
    boolean hasPending() {
        return !pending.isEmpty() || !older.isEmpty() || !recorder.earlierBegins.isEmpty();
    }

    /** Encodes what is pending once as segment bodies (the older batches first) and hands them to every sink. */
    void emitSegment() {
        if (!older.isEmpty() && (pending.isEmpty() || older.oldest() <= pending.oldest())) {
            offer(cutBody(older));
        }
        if (!pending.isEmpty() || !older.isEmpty() || !recorder.earlierBegins.isEmpty()) {
            offer(cutBody(pending.isEmpty() ? older : pending));
        }
        if (!older.isEmpty()) {
            offer(cutBody(older)); // newer than pending (cut first above)
        }
    }

    /** Starts keeping the bodies offered to the sinks, until {@link #offeredSinceKept}. */
    void keepOffered() {
        offered = new java.util.ArrayList<>();
    }

    /** @return the bodies offered since {@link #keepOffered}, in order; stops keeping them */
    List<SegmentBody> offeredSinceKept() {
        List<SegmentBody> kept = offered == null ? List.of() : offered;
        offered = null;
        return kept;
    }

    private void offer(SegmentBody body) {
        if (body != null) {
            if (offered != null) {
                offered.add(body);
            }
            for (Sink s : sinks) {
                s.offer(body);
            }
        }
    }

    /**
     * Cuts what is pending for a final segment: all but the newest batches go to every sink
     * as segments of their own, the newest are returned (null: nothing was pending).
     */
    SegmentBody cutLast() {
        if (!older.isEmpty() && !pending.isEmpty()) {
            offer(cutBody(older.oldest() <= pending.oldest() ? older : pending));
        }
        if (!hasPending()) {
            return null;
        }
        return cutBody(pending.isEmpty() ? older : pending);
    }

    /**
     * Encodes {@code from} once as a segment body (then empties it), with the earlier begins
     * queued, or returns null if it exceeds the format's limit (its events counted as dropped).
     */
    private SegmentBody cutBody(PendingBatches from) {
        // The stack table first: every string its frames use was interned before it was published.
        StackTableBytes.Snapshot stacks = recorder.stacks.encoded();
        encodeNewStrings();
        StringTableBytes.Snapshot strings = stringBytes.snapshot();
        int epoch = from.isEmpty() ? recorder.epoch : from.oldest();
        int eventCount = from.events();
        byte[] batches = from.take();
        SegmentBody body = new SegmentBody(strings, stacks, batches, batches.length, eventCount, recorder.dropped.get(),
                recorder.earlierBegins.take(sinks), epoch);
        if (!SegmentCodec.fits(strings.length(), stacks, body.eventsLength())) {
            // Cannot happen while the tables stay within their budgets; never end the writer over it.
            long events = body.countEvents();
            recorder.dropped.addAndGet(events);
            LOG.log(System.Logger.Level.WARNING, "asynctrace: a segment of " + (strings.length() + stacks.size()
                    + body.eventsLength()) + " bytes exceeds the format's limit; its " + events
                    + " events are counted as dropped");
            return null;
        }
        return body;
    }

    /** Appends the strings interned since the last segment to the encoded table. */
    private void encodeNewStrings() {
        int count = recorder.strings.count();
        String[] table = recorder.strings.table();
        for (int id = stringBytes.count() + 1; id <= count; id++) {
            stringBytes.add(table[id]);
        }
    }
}
