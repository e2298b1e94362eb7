package io.asynctrace.tool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The zoomed-out view of a whole trace: per lane, {@value #BINS} bins of busy time (the
 * heap lane: the largest value) over {@code [0, BINS × width)}, the width doubling (two
 * bins merged into one) whenever an event falls past the end. A lane's bins are made at
 * its first value, so lanes never busy cost nothing. Not thread-safe, except
 * {@link #bytes()}.
 */
final class Overview {
    static final int BINS = 4096;
    private static final long[] NONE = new long[BINS];

    private final int maxLane;
    private long width = 1024;
    private final List<long[]> bins = new ArrayList<>();
    /** Lanes whose bins are made. */
    private volatile int made;

    /** @param maxLane the lane whose bins merge by maximum (the heap's), not by sum */
    Overview(int maxLane) {
        this.maxLane = maxLane;
    }

    /** A lane is added: its bins are made at its first value. */
    void addLane() {
        bins.add(null);
    }

    /** Adds {@code [start, end)} to the lane's busy time, bin by bin. */
    void addBusy(int lane, long start, long end) {
        long s = Math.max(0, start);
        long e = Math.max(s, end);
        bin(e); // grows the bins first
        long[] b = binsToAdd(lane);
        for (int i = (int) (s / width); s < e; i++) {
            long binEnd = (i + 1) * width;
            long part = Math.min(e, binEnd) - s;
            b[i] += part;
            s += part;
        }
    }

    /** Keeps the largest {@code value} at {@code time} in the lane's bin. */
    void max(int lane, long time, long value) {
        int i = bin(Math.max(0, time));
        long[] b = binsToAdd(lane);
        b[i] = Math.max(b[i], value);
    }

    /** @return the bin of {@code time}, doubling the bin width until it fits */
    int bin(long time) {
        while (time >= width * BINS) {
            for (int lane = 0; lane < bins.size(); lane++) {
                long[] b = bins.get(lane);
                if (b == null) {
                    continue;
                }
                for (int i = 0; i < BINS / 2; i++) {
                    b[i] = lane == maxLane ? Math.max(b[2 * i], b[2 * i + 1]) : b[2 * i] + b[2 * i + 1];
                }
                Arrays.fill(b, BINS / 2, BINS, 0);
            }
            width *= 2;
        }
        return (int) (time / width);
    }

    private long[] binsToAdd(int lane) {
        long[] b = bins.get(lane);
        if (b == null) {
            b = new long[BINS];
            bins.set(lane, b);
            made++;
        }
        return b;
    }

    /** @return the lane's bins (read only: all zero for a lane never busy) */
    long[] bins(int lane) {
        long[] b = bins.get(lane);
        return b == null ? NONE : b;
    }

    long width() {
        return width;
    }

    /** @return the bytes the bins take; any thread may ask */
    long bytes() {
        return (long) made * BINS * Long.BYTES;
    }
}
