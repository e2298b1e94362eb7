package io.asynctrace;

/**
 * Varint, zigzag and UTF-8 encoders writing into a byte array at a position that
 * the caller has already checked to have room. Each returns the position after
 * what it wrote.
 */
final class Encoding {
    private Encoding() {
    }

    /** Most bytes of an encoded varint. */
    static final int MAX_VARINT = 10;

    static int putVar(byte[] d, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            d[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d[p++] = (byte) v;
        return p;
    }

    static int putZig(byte[] d, int p, long v) {
        return putVar(d, p, (v << 1) ^ (v >> 63));
    }

    /** Most bytes {@link #putString} writes for {@code chars} chars. */
    static int maxStringBytes(int chars) {
        return MAX_VARINT + 3 * chars;
    }

    /** Number of chars of {@code s} to keep under {@code max}, never splitting a surrogate pair. */
    static int cut(String s, int max) {
        int n = s.length();
        if (n <= max) {
            return n;
        }
        return Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    }

    /** Writes the first {@code n} chars of {@code s} as varint byte length plus UTF-8; lone surrogates become '?'. */
    static int putString(byte[] d, int p, String s, int n) {
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
        p = putVar(d, p, bytes);
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

    /** Writes a string reference: the table id, or 0 followed by the string itself. */
    static int putRef(byte[] d, int p, int ref, String s) {
        if (ref != 0) {
            return putVar(d, p, ref);
        }
        d[p++] = 0;
        return putString(d, p, s, cut(s, io.asynctrace.internal.Wire.MAX_NAME_CHARS));
    }

    /** Room a reference needs: small for a table id, the whole string for an inline one. */
    static int refSize(int ref, String s) {
        return ref != 0 ? MAX_VARINT : 1 + maxStringBytes(Math.min(s.length(), io.asynctrace.internal.Wire.MAX_NAME_CHARS));
    }
}
