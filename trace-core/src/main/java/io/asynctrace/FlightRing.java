package io.asynctrace;

import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * The sink of a {@link FlightRecorder}: the segments it keeps in memory, the newest
 * ones covering at least {@code minAge}, and never more than {@code maxBytes} plus
 * the newest segment. The writer thread adds (in memory: it never waits for I/O);
 * snapshots copy the list under the same lock and write outside it.
 *
 * <p>Segments are kept unframed, with the recording's tables shared among them (the
 * bytes counted are their events' and the newest tables', once); each snapshot frames
 * them as a file of its own, the first segment with every table entry the kept ones
 * may reference, the others with only what they add, so an evicted segment never
 * takes a string with it.
 */
final class FlightRing extends Sink {
    private final long maxBytes;
    private final long minAgeNanos;
    private final byte[] header;
    private final ArrayDeque<Entry> segments = new ArrayDeque<>();
    private long bytes;
    private long evicted;
    private long segmentsAdded;

    private long eventBytes;
    /** Set once the recording detached this ring: a snapshot no longer has anything to write. */
    private boolean closed;

    /** A kept segment: its body, and its events as this ring frames them (the earlier begins it lacks first). */
    record Entry(SegmentBody body, byte[] events, long sequence, long dropped, long writtenAt) {
    }

    FlightRing(Recorder recorder, long maxBytes, long minAgeNanos) {
        super(recorder);
        this.header = header(recorder);
        this.maxBytes = maxBytes;
        this.minAgeNanos = minAgeNanos;
    }

    @Override
    void offer(SegmentBody body) {
        if (!wants(body)) {
            return;
        }
        add(body, System.nanoTime());
    }

    @Override
    void close(long droppedTotal, boolean complete, SegmentBody last) {
        synchronized (this) {
            closed = true;
            segments.clear();
            bytes = 0;
            eventBytes = 0;
        }
    }

    @Override
    synchronized RecordingStats stats() {
        return new RecordingStats(bytes, segmentsAdded, droppedSoFar(), null);
    }

    /**
     * Keeps a segment written at {@code now}, then drops the oldest ones while more
     * than {@code maxBytes} are kept, or while the next-oldest still reaches back
     * {@code minAge} (a segment holds what was recorded since the one before it).
     */
    synchronized void add(SegmentBody body, long now) {
        byte[] events = events(body);
        segments.addLast(new Entry(body, events, nextSequence(), nextDropped(body.droppedTotal()), now));
        eventBytes += events.length;
        long tables = body.strings().length() + body.stacks().framesLength() + body.stacks().stacksLength();
        bytes = eventBytes + tables;
        segmentsAdded++;
        while (segments.size() > 1) {
            Entry oldest = segments.peekFirst();
            if (bytes <= maxBytes && oldest.writtenAt > now - minAgeNanos) {
                break;
            }
            segments.removeFirst();
            eventBytes -= oldest.events.length;
            bytes = eventBytes + tables;
            evicted++;
        }
    }

    /** @return bytes of segments kept */
    synchronized long bytes() {
        return bytes;
    }

    /** @return segments kept */
    synchronized int size() {
        return segments.size();
    }

    /** @return segments dropped so far to stay within the bounds */
    synchronized long evicted() {
        return evicted;
    }

    /**
     * Writes a complete trace of the segments kept now: header, then the segments, the
     * newest flagged final. Holds the lock only to copy the list, so a slow output never
     * stalls the writer thread or another snapshot.
     */
    long writeTo(OutputStream out) throws IOException {
        return write(kept(), out);
    }

    /**
     * The segments kept now, for {@link #write}: taken before a snapshot opens its output,
     * so a snapshot racing the end of the recording writes what was kept or nothing.
     *
     * @throws IllegalStateException once the recording has detached this ring
     */
    Entry[] kept() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the flight recorder stopped");
            }
            return segments.toArray(new Entry[0]);
        }
    }

    /** Writes the segments {@link #kept} returned as a complete trace; no lock held. */
    long write(Entry[] kept, OutputStream out) throws IOException {
        // A file of its own: its first segment carries the tables from id 1.
        SegmentCodec codec = new SegmentCodec();
        SegmentCodec.Sent sent = new SegmentCodec.Sent();
        out.write(header);
        long written = header.length;
        for (int i = 0; i < kept.length; i++) {
            Entry e = kept[i];
            // The newest segment is the snapshot's final one.
            byte[] segment = encode(codec, sent, e.body, e.events, i == kept.length - 1 ? Wire.FLAG_FINAL : 0,
                    e.sequence, e.dropped);
            out.write(segment);
            written += segment.length;
        }
        if (kept.length == 0) {
            byte[] last = encode(codec, sent, null, null, Wire.FLAG_FINAL, 0, 0);
            out.write(last);
            written += last.length;
        }
        out.flush();
        return written;
    }
}
