package io.asynctrace;

import java.util.Arrays;
import java.util.List;

/**
 * Batches the writer thread has collected for the next segment, all written under
 * epochs that no attached sink tells apart: no sink was attached after the oldest of
 * them and at or before the newest, so every sink takes all of them or none
 * ({@link Sink#takesEventsOf}). Writer thread only.
 */
final class PendingBatches {
    private byte[] bytes;
    private int length;
    /** Events in {@link #bytes}' batches. */
    private int events;
    /** The oldest and newest epoch of the batches held; meaningless while empty. */
    private int oldest;
    private int newest;

    PendingBatches(int capacity) {
        this.bytes = new byte[capacity];
    }

    boolean isEmpty() {
        return length == 0;
    }

    int length() {
        return length;
    }

    /** @return the oldest epoch of what is held: a segment of it is for the sinks attached at or before it */
    int oldest() {
        return oldest;
    }

    /** @return whether bytes written under {@code epoch} may join these: every one of {@code sinks} takes all or none */
    boolean accepts(int epoch, List<Sink> sinks) {
        if (length == 0) {
            return true;
        }
        int lo = Math.min(oldest, epoch);
        int hi = Math.max(newest, epoch);
        for (Sink s : sinks) {
            int a = s.attachEpoch();
            if (a > lo && a <= hi) {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code n} more bytes fit without growing (always, while empty: it grows) */
    boolean fits(int n) {
        return length == 0 || length + n <= bytes.length;
    }

    /**
     * Appends {@code header[0, headerLength)} then {@code src[offset, offset + n)}, written under
     * {@code epoch}, holding {@code eventCount} events.
     */
    void add(int epoch, byte[] header, int headerLength, byte[] src, int offset, int n, int eventCount) {
        int total = headerLength + n;
        if (length + total > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + total));
        }
        if (length == 0) {
            oldest = epoch;
            newest = epoch;
        } else {
            oldest = Math.min(oldest, epoch);
            newest = Math.max(newest, epoch);
        }
        System.arraycopy(header, 0, bytes, length, headerLength);
        System.arraycopy(src, offset, bytes, length + headerLength, n);
        length += total;
        events += eventCount;
    }

    /** @return the events held (batch headers are none) */
    int events() {
        return events;
    }

    /** @return a copy of what is held, which is then emptied */
    byte[] take() {
        byte[] out = Arrays.copyOf(bytes, length);
        length = 0;
        events = 0;
        return out;
    }

    /** Lets the memory go (the recording ended). */
    void release() {
        bytes = new byte[0];
        length = 0;
        events = 0;
    }
}
