package io.asynctrace;

import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.StackTableBytes;
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
 * </ul>
 */
abstract class Sink {
    /** The recording's drop count when this sink was attached: its drops count from there. */
    final long droppedAtAttach;
    private final SegmentCodec codec = new SegmentCodec();

    // Framing state: whoever frames (one thread at a time) owns it.
    private long sequence;
    private long droppedSeen;
    private final java.util.concurrent.atomic.AtomicLong ownDropped = new java.util.concurrent.atomic.AtomicLong();
    private long ownDroppedReported;

    Sink(long droppedAtAttach) {
        this.droppedAtAttach = droppedAtAttach;
        this.droppedSeen = droppedAtAttach;
    }

    /** Takes a segment; never blocks. */
    abstract void offer(SegmentBody body);

    /**
     * Ends this sink's trace after the segments offered so far, then lets the output
     * go: with a final segment carrying the drops up to {@code droppedTotal} if
     * {@code complete}, else none (the recording failed: the trace reads as cut short).
     */
    abstract void close(long droppedTotal, boolean complete);

    /** @return what this sink wrote so far (all of it once {@link #close} completed) */
    abstract RecordingStats stats();

    /** Counts {@code events} this sink lost itself (it could not keep up): they go into its next segment. */
    final void lost(long events) {
        ownDropped.addAndGet(events);
    }

    /** @return the recording's drops since this sink was attached, as far as framed, plus every event it lost itself */
    final long droppedSoFar() {
        return droppedSeen - droppedAtAttach + ownDropped.get();
    }

    /** @return segments framed so far */
    final long framed() {
        return sequence;
    }

    /** Frames {@code body} as this sink's next segment; {@code body} null: an empty segment. */
    final byte[] frame(SegmentBody body, int flags, long droppedTotal) {
        long own = ownDropped.get();
        long dropped = Math.max(0, droppedTotal - droppedSeen) + own - ownDroppedReported;
        droppedSeen = Math.max(droppedSeen, droppedTotal);
        ownDroppedReported = own;
        int stringsLength = body == null ? 0 : body.stringsLength();
        int eventsLength = body == null ? 0 : body.eventsLength();
        StackTableBytes.Snapshot stacks = body == null ? StackTableBytes.Snapshot.EMPTY : body.stacks();
        byte[] out = new byte[(int) SegmentCodec.size(stringsLength, stacks, eventsLength)];
        int n = body == null
                ? codec.frame(out, flags, sequence, dropped, 0, out, 0, stacks, out, 0, 0)
                : codec.frame(out, flags, sequence, dropped, body.stringCount(), body.strings(), stringsLength,
                        stacks, body.events(), 0, eventsLength);
        sequence++;
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    /** The final segment: no events, the drops not yet reported. */
    final byte[] finalSegment(long droppedTotal) {
        return frame(null, Wire.FLAG_FINAL, droppedTotal);
    }

    static byte[] header(Recorder r) {
        return io.asynctrace.internal.format.FileHeader.encode(r.wallBase, r.base);
    }

}
