package io.asynctrace;

import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.StackTableBytes;
import io.asynctrace.internal.format.StringTableBytes;
import io.asynctrace.internal.format.Wire;

/**
 * A consumer of a recording's segments: a {@code Trace.start} output, a live trace
 * streamed over HTTP, or a flight recorder's ring.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Only the writer thread calls {@link #offer} and {@link #close}, in segment
 *       order, and never waits in them: a sink that cannot keep up loses segments,
 *       counted as dropped events in its own output and {@link #stats()}, and no
 *       other sink and no application thread notices.</li>
 *   <li>A sink's file is a trace of its own: a header, segments numbered from 0 with
 *       drops counted from the moment it was attached ({@link #droppedAtAttach}), and a
 *       final segment at {@link #close} unless it failed.</li>
 *   <li>After a failure a sink takes nothing more; its stats carry the exception.</li>
 *   <li>A sink attached at epoch {@code A} gets exactly the events written under an
 *       epoch at or after {@code A} ({@link #takesEventsOf}), and the earlier begins it
 *       lacks ({@link EarlierBegin}); see {@link SegmentWriter} for why that gives every
 *       task it sees its begin.</li>
 * </ul>
 */
abstract class Sink {
    /** The recording's drop count when this sink was attached: its drops count from there. */
    final long droppedAtAttach;
    private final SegmentCodec codec = new SegmentCodec();
    /** What this sink's output has of the recording's tables (framing state, as below). */
    private final SegmentCodec.Sent sent = new SegmentCodec.Sent();

    // Framing state: whoever frames (one thread at a time) owns it.
    private long sequence;
    private long droppedSeen;
    private final java.util.concurrent.atomic.AtomicLong ownDropped = new java.util.concurrent.atomic.AtomicLong();
    private long ownDroppedReported;

    /** The recording's monotonic base: times of the begins this sink adds are written from it. */
    private final long base;
    /**
     * The recording's epoch once this sink was attached (set by the writer thread before
     * it offers the first segment): which earlier begins it lacks ({@link EarlierBegin}).
     */
    private volatile int attachEpoch;

    Sink(Recorder r) {
        this.droppedAtAttach = r.dropped.get();
        this.droppedSeen = droppedAtAttach;
        this.base = r.base;
    }

    /** The writer thread, as it attaches this sink. */
    final void attachedAt(int epoch) {
        attachEpoch = epoch;
    }

    /** @return the epoch this sink was attached at (0 until then) */
    final int attachEpoch() {
        return attachEpoch;
    }

    /** @return whether {@code body}'s events are for this sink: written under its attach epoch or later */
    final boolean takesEventsOf(SegmentBody body) {
        return body.epoch() >= attachEpoch;
    }

    /** @return whether {@code body} holds anything for this sink: its events, or an earlier begin it lacks */
    final boolean wants(SegmentBody body) {
        if (takesEventsOf(body)) {
            return true;
        }
        for (EarlierBegin e : body.begins()) {
            if (e.neededBy(attachEpoch)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return {@code body}'s events as this sink frames them: the earlier begins it lacks
     *     first (the attributes those do not carry counted as this sink's own loss)
     */
    final byte[] events(SegmentBody body) {
        boolean own = takesEventsOf(body);
        for (EarlierBegin e : body.begins()) {
            if (e.neededBy(attachEpoch)) {
                int cut = e.attributesCut(attachEpoch);
                if (cut > 0) {
                    lost(cut);
                }
            }
        }
        return EarlierBegin.prepend(body.begins(), attachEpoch, base, own ? body.events() : new byte[0],
                own ? body.eventsLength() : 0);
    }

    /** @return how many events of {@code body} this sink would have framed (it lost them); walks no event */
    final long countOwnEvents(SegmentBody body) {
        long begins = 0;
        for (EarlierBegin e : body.begins()) {
            if (e.neededBy(attachEpoch)) {
                begins += e.events(attachEpoch);
            }
        }
        return (takesEventsOf(body) ? body.eventCount() : 0) + begins;
    }

    /** Takes a segment; never blocks. */
    abstract void offer(SegmentBody body);

    /**
     * Ends this sink's trace after the segments offered so far, then lets the output
     * go: if {@code complete}, with a final segment carrying {@code last}'s events
     * (none if it is null) and the drops up to {@code droppedTotal}; else with none (the
     * recording failed: the trace reads as cut short).
     */
    abstract void close(long droppedTotal, boolean complete, SegmentBody last);

    /** @return what this sink wrote so far (all of it once {@link #close} completed) */
    abstract RecordingStats stats();

    /** Counts {@code events} this sink lost itself (it could not keep up): they go into its next segment. */
    final void lost(long events) {
        ownDropped.addAndGet(events);
    }

    /**
     * For {@code Trace.flush}: whether neither the recording (its drop count now is
     * {@code droppedTotal}) nor this sink lost events since the previous call (or the attach).
     */
    final synchronized boolean nothingLostSinceLastFlush(long droppedTotal) {
        long lost = droppedTotal - droppedAtAttach + ownDropped.get();
        boolean none = lost == lostAtLastFlush;
        lostAtLastFlush = lost;
        return none;
    }

    private long lostAtLastFlush; // guarded by this

    /** @return the recording's drops since this sink was attached, as far as framed, plus every event it lost itself */
    final long droppedSoFar() {
        return droppedSeen - droppedAtAttach + ownDropped.get();
    }

    /** @return segments framed so far */
    final long framed() {
        return sequence;
    }

    /**
     * Frames {@code body} as this sink's next segment, with the table entries this sink's
     * output does not have yet; {@code body} null: an empty segment.
     */
    final byte[] frame(SegmentBody body, int flags, long droppedTotal) {
        byte[] events = body == null ? null : events(body); // first: what it counts as lost goes into this segment
        long dropped = nextDropped(droppedTotal);
        return encode(codec, sent, body, events, flags, sequence++, dropped);
    }

    /** @return the next segment's sequence number, counted as taken */
    final long nextSequence() {
        return sequence++;
    }

    /**
     * @param droppedTotal the recording's drop count at the next segment
     * @return the drops that segment reports (the recording's since the previous one, and this sink's own)
     */
    final long nextDropped(long droppedTotal) {
        long own = ownDropped.get();
        long dropped = Math.max(0, droppedTotal - droppedSeen) + own - ownDroppedReported;
        droppedSeen = Math.max(droppedSeen, droppedTotal);
        ownDroppedReported = own;
        return dropped;
    }

    /**
     * Encodes one segment of an output that has {@code sent} of the tables; advances it.
     * {@code body} null: no new table entries; {@code events} null: none (else exactly its length).
     */
    static byte[] encode(SegmentCodec codec, SegmentCodec.Sent sent, SegmentBody body, byte[] events, int flags,
                         long sequence, long dropped) {
        StringTableBytes.Snapshot strings = body == null ? StringTableBytes.Snapshot.EMPTY : body.strings();
        StackTableBytes.Snapshot stacks = body == null ? StackTableBytes.Snapshot.EMPTY : body.stacks();
        int eventsLength = events == null ? 0 : events.length;
        byte[] out = new byte[(int) SegmentCodec.size(strings, stacks, sent, eventsLength)];
        int n = codec.frame(out, flags, sequence, dropped, strings, stacks, sent, events == null ? out : events, 0,
                eventsLength);
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    /** The final segment: {@code last}'s events (none if null), the drops not yet reported. */
    final byte[] finalSegment(SegmentBody last, long droppedTotal) {
        return frame(last, Wire.FLAG_FINAL, last == null ? droppedTotal : Math.max(droppedTotal, last.droppedTotal()));
    }

    static byte[] header(Recorder r) {
        return io.asynctrace.internal.format.FileHeader.encode(r.wallBase, r.base);
    }

}
