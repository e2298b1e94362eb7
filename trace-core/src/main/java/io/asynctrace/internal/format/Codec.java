package io.asynctrace.internal.format;

import java.nio.charset.StandardCharsets;

/**
 * The format's primitive codings, the only ones: unsigned LEB128 varints, zigzag,
 * strings (varint byte length + UTF-8, lone surrogates as {@code '?'}), string
 * references, big-endian fixed-width integers, and the cut of a long string.
 *
 * <p>The {@code put*} methods write into an array at a position the caller has
 * checked to have room (see {@link #maxStringBytes}, {@link #refSize}) and return
 * the position after what they wrote. The recorder's hot path calls them, so
 * they allocate nothing.
 */
public final class Codec {
    private Codec() {
    }

    /** Most bytes of an encoded varint. */
    public static final int MAX_VARINT = 10;

    /**
     * @param d the array
     * @param p where to write
     * @param v the value, taken as unsigned
     * @return the position after it
     */
    public static int putVar(byte[] d, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            d[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d[p++] = (byte) v;
        return p;
    }

    /**
     * @param d the array
     * @param p where to write
     * @param v a signed value, written as the varint {@code (v << 1) ^ (v >> 63)}
     * @return the position after it
     */
    public static int putZig(byte[] d, int p, long v) {
        return putVar(d, p, (v << 1) ^ (v >> 63));
    }

    /**
     * @param v a zigzag-coded varint
     * @return the signed value
     */
    public static long unzig(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /**
     * @param chars chars of a string
     * @return most bytes {@link #putString} writes for them
     */
    public static int maxStringBytes(int chars) {
        return MAX_VARINT + 3 * chars;
    }

    /**
     * The number of chars of {@code s} kept under a limit of {@code max}: never splits
     * a surrogate pair, so a cut string holds no half character.
     *
     * @param s the string
     * @param max the most chars to keep
     * @return {@code s.length()} if it fits, else {@code max} or {@code max - 1}
     */
    public static int cut(String s, int max) {
        int n = s.length();
        if (n <= max) {
            return n;
        }
        return max > 0 && Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    }

    /**
     * @param s a string
     * @param max the most chars to keep
     * @return {@code s} cut as {@link #cut} says (the same instance if it fits)
     */
    public static String cutString(String s, int max) {
        int n = cut(s, max);
        return n == s.length() ? s : s.substring(0, n);
    }

    /**
     * Writes the first {@code n} chars of {@code s} as a string: varint byte length,
     * then UTF-8; a lone surrogate becomes {@code '?'}.
     *
     * @param d the array
     * @param p where to write
     * @param s the string
     * @param n how many of its chars, from {@link #cut}
     * @return the position after it
     */
    public static int putString(byte[] d, int p, String s, int n) {
        // ASCII, the usual case, in one pass: its byte length is n, so the length goes first and
        // the chars follow; at the first other char, start again with the length counted.
        int q = putVar(d, p, n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return putUtf8(d, p, s, n);
            }
            d[q++] = (byte) c;
        }
        return q;
    }

    /** {@link #putString} for chars that are not all ASCII: the byte length counted first. */
    private static int putUtf8(byte[] d, int p, String s, int n) {
        p = putVar(d, p, utf8Length(s, n));
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                d[p++] = (byte) c;
            } else if (c < 0x800) {
                d[p++] = (byte) (0xC0 | (c >> 6));
                d[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                d[p++] = (byte) (0xF0 | (cp >> 18));
                d[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                d[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                d[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                d[p++] = '?';
            } else {
                d[p++] = (byte) (0xE0 | (c >> 12));
                d[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                d[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return p;
    }

    /**
     * @param s a string
     * @param n how many of its chars
     * @return the bytes of their UTF-8 as {@link #putString} writes it
     */
    public static int utf8Length(String s, int n) {
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return bytes;
    }

    /**
     * Writes a string reference: the table id, or 0 followed by the string itself,
     * cut at {@link Wire#MAX_NAME_CHARS}.
     *
     * @param d the array
     * @param p where to write
     * @param ref the id of {@code s} in the string table, or 0 to write it inline
     * @param s the string
     * @return the position after it
     */
    public static int putRef(byte[] d, int p, int ref, String s) {
        if (ref != 0) {
            return putVar(d, p, ref);
        }
        d[p++] = 0;
        return putString(d, p, s, cut(s, Wire.MAX_NAME_CHARS));
    }

    /**
     * @param ref a table id, or 0 for inline
     * @param s the string
     * @return most bytes {@link #putRef} writes for them
     */
    public static int refSize(int ref, String s) {
        return ref != 0 ? MAX_VARINT : 1 + maxStringBytes(Math.min(s.length(), Wire.MAX_NAME_CHARS));
    }

    /**
     * @param d bytes of UTF-8 (as {@link #putString} wrote them)
     * @param off where they start
     * @param len how many
     * @return the string
     */
    public static String decodeString(byte[] d, int off, int len) {
        return new String(d, off, len, StandardCharsets.UTF_8);
    }

    /**
     * @param d the array
     * @param p where to write
     * @param v a big-endian u32
     */
    public static void putInt(byte[] d, int p, int v) {
        d[p] = (byte) (v >>> 24);
        d[p + 1] = (byte) (v >>> 16);
        d[p + 2] = (byte) (v >>> 8);
        d[p + 3] = (byte) v;
    }

    /**
     * @param d the array
     * @param p where to write
     * @param v a big-endian i64
     */
    public static void putLong(byte[] d, int p, long v) {
        putInt(d, p, (int) (v >>> 32));
        putInt(d, p + 4, (int) v);
    }

    /**
     * @param d the array
     * @param p where to read
     * @return the big-endian u32 there, as an int
     */
    public static int getInt(byte[] d, int p) {
        return ((d[p] & 0xFF) << 24) | ((d[p + 1] & 0xFF) << 16) | ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
    }

    /**
     * @param d the array
     * @param p where to read
     * @return the big-endian i64 there
     */
    public static long getLong(byte[] d, int p) {
        return ((long) getInt(d, p) << 32) | (getInt(d, p + 4) & 0xFFFFFFFFL);
    }
}
