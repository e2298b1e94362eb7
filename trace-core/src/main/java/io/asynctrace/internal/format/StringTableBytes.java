package io.asynctrace.internal.format;

import java.util.Arrays;

/**
 * A segment's string table, encoded: the strings of ids 1..N, each as a
 * {@linkplain Codec#putString string}, in id order. Not thread-safe.
 */
public final class StringTableBytes {
    private byte[] bytes = new byte[4096];
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
        length = Codec.putString(bytes, length, s, s.length());
        return ++count;
    }

    /** Forgets every string: the next one added gets id 1. */
    public void clear() {
        length = 0;
        count = 0;
    }

    /** Forgets every string and lets the memory go. */
    public void release() {
        clear();
        bytes = new byte[0];
    }

    /** @return the encoded strings; valid up to {@link #length()} */
    public byte[] bytes() {
        return bytes;
    }

    /** @return bytes used */
    public int length() {
        return length;
    }

    /** @return strings held */
    public int count() {
        return count;
    }
}
