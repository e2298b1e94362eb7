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
 */
final class FlightRing extends Sink {
    private final long maxBytes;
    private final long minAgeNanos;
    private final byte[] header;
    private final ArrayDeque<Entry> segments = new ArrayDeque<>();
    private long bytes;
    private long evicted;
    private long segmentsAdded;

    private static final class Entry {
        final byte[] data;
        final long writtenAt;

        Entry(byte[] data, long writtenAt) {
            this.data = data;
            this.writtenAt = writtenAt;
        }
    }

    FlightRing(Recorder recorder, long maxBytes, long minAgeNanos) {
        super(recorder.dropped.get());
        this.header = header(recorder);
        this.maxBytes = maxBytes;
        this.minAgeNanos = minAgeNanos;
    }

    @Override
    void offer(SegmentBody body) {
        add(frame(body, 0, body.droppedTotal()), System.nanoTime());
    }

    @Override
    void close(long droppedTotal, boolean complete) {
        synchronized (this) {
            segments.clear();
            bytes = 0;
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
    synchronized void add(byte[] segment, long now) {
        segments.addLast(new Entry(segment, now));
        bytes += segment.length;
        segmentsAdded++;
        while (segments.size() > 1) {
            Entry oldest = segments.peekFirst();
            if (bytes <= maxBytes && oldest.writtenAt > now - minAgeNanos) {
                break;
            }
            segments.removeFirst();
            bytes -= oldest.data.length;
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
     * Writes a complete trace of the segments kept now: header, segments, an empty
     * final segment. Holds the lock only to copy the list, so a slow output never
     * stalls the writer thread or another snapshot.
     */
    long writeTo(OutputStream out) throws IOException {
        Entry[] kept;
        synchronized (this) {
            kept = segments.toArray(new Entry[0]);
        }
        out.write(header);
        long written = header.length;
        for (Entry e : kept) {
            out.write(e.data);
            written += e.data.length;
        }
        byte[] last = new SegmentCodec().empty(Wire.FLAG_FINAL);
        out.write(last);
        out.flush();
        return written + last.length;
    }
}
