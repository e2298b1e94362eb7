package io.asynctrace.internal.format;

import java.util.Arrays;

/**
 * A recording's string table, encoded: the strings of ids 1..N, each as a
 * {@linkplain Codec#putString string}, in id order, with where each one starts, so a
 * segment can carry just the strings past those its output already has (format
 * version 3). The appender is not thread-safe; {@link #snapshot()} hands an immutable
 * view to another thread (the bytes and offsets below its counts never change
 * afterwards: growing copies into new arrays).
 */
public final class StringTableBytes {
    /**
     * An immutable view of the table: {@code count} strings in {@code bytes[0, length)},
     * string {@code id} starting at {@code starts[id - 1]}.
     */
    public record Snapshot(int count, byte[] bytes, int length, int[] starts) {
        /** No strings. */
        public static final Snapshot EMPTY = new Snapshot(0, new byte[0], 0, new int[0]);

        /**
         * @param known strings an output already has (ids 1..known), at most {@link #count()}
         * @return where the strings past them start in {@link #bytes()}
         */
        public int startOf(int known) {
            return known >= count ? length : starts[known];
        }
    }

    private byte[] bytes = new byte[4096];
    private int[] starts = new int[256];
    private int length;
    private int count;

    /**
     * Appends the next id's string.
     *
     * @param s the string, already cut to what the table keeps
     * @return its id
     */
    public int add(String s) {
        int need = length + Codec.maxStringBytes(s.length());
        if (need > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(need, bytes.length * 2));
        }
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, Math.max(256, count * 2));
        }
        starts[count] = length;
        length = Codec.putString(bytes, length, s, s.length());
        return ++count;
    }

    /** Forgets every string and lets the memory go (snapshots taken before keep theirs). */
    public void release() {
        bytes = new byte[0];
        starts = new int[0];
        length = 0;
        count = 0;
    }

    /** @return bytes used */
    public int length() {
        return length;
    }

    /** @return strings held */
    public int count() {
        return count;
    }

    /** @return an immutable view of the table as it is now */
    public Snapshot snapshot() {
        return new Snapshot(count, bytes, length, starts);
    }
}
