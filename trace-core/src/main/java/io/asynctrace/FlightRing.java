package io.asynctrace;

import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * The segments a {@link FlightRecorder} keeps: the newest ones covering at least
 * {@code minAge}, and never more than {@code maxBytes} plus the newest segment.
 * The writer thread adds; snapshots copy under the same lock.
 */
final class FlightRing {
    private final long maxBytes;
    private final long minAgeNanos;
    private final ArrayDeque<Entry> segments = new ArrayDeque<>();
    private long bytes;
    private long evicted;

    private static final class Entry {
        final byte[] data;
        final long writtenAt;

        Entry(byte[] data, long writtenAt) {
            this.data = data;
            this.writtenAt = writtenAt;
        }
    }

    FlightRing(long maxBytes, long minAgeNanos) {
        this.maxBytes = maxBytes;
        this.minAgeNanos = minAgeNanos;
    }

    /**
     * Keeps a copy of a segment written at {@code now}, then drops the oldest ones
     * while more than {@code maxBytes} are kept, or while the next-oldest still
     * reaches back {@code minAge} (a segment holds what was recorded since the one
     * before it was written).
     */
    synchronized void add(byte[] segment, int length, long now) {
        segments.addLast(new Entry(java.util.Arrays.copyOf(segment, length), now));
        bytes += length;
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
     * Writes a complete trace of the kept segments: header, segments, an empty final
     * segment. Holds the lock only to copy the list, so a slow output never stalls
     * the writer thread.
     */
    long writeTo(OutputStream out, Recorder r) throws IOException {
        Entry[] kept;
        synchronized (this) {
            kept = segments.toArray(new Entry[0]);
        }
        byte[] header = FileSink.header(r);
        out.write(header);
        long written = header.length;
        for (Entry e : kept) {
            out.write(e.data);
            written += e.data.length;
        }
        byte[] last = finalSegment();
        out.write(last);
        out.flush();
        return written + last.length;
    }

    /** An empty segment flagged final: flags, sequence 0, no drops, no strings. */
    private static byte[] finalSegment() {
        return new SegmentCodec().empty(Wire.FLAG_FINAL);
    }
}
