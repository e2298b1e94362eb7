package io.asynctrace.internal.format;

/**
 * The 28-byte file header: magic, u16 version, u16 flags, i64 wall-clock base,
 * i64 monotonic base (see {@code docs/FORMAT.md}).
 */
public final class FileHeader {
    private FileHeader() {
    }

    /**
     * @param wallBaseNanos the wall clock, ns since the epoch, when the monotonic base was read
     * @param monotonicBase the {@code System.nanoTime()} every event time counts from
     * @return the header's bytes
     */
    public static byte[] encode(long wallBaseNanos, long monotonicBase) {
        byte[] h = new byte[Wire.HEADER_SIZE];
        System.arraycopy(Wire.MAGIC, 0, h, 0, Wire.MAGIC.length);
        h[8] = (byte) (Wire.VERSION >>> 8);
        h[9] = (byte) Wire.VERSION;
        Codec.putLong(h, 12, wallBaseNanos);
        Codec.putLong(h, 20, monotonicBase);
        return h;
    }

    /**
     * @param h the first bytes of a file
     * @param n how many of them there are
     * @return the index of the first byte that differs from the magic among them, or -1
     */
    public static int badMagicAt(byte[] h, int n) {
        for (int i = 0; i < Math.min(n, Wire.MAGIC.length); i++) {
            if (h[i] != Wire.MAGIC[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param h a header, at least 10 bytes
     * @return the version it names
     */
    public static int version(byte[] h) {
        return ((h[8] & 0xFF) << 8) | (h[9] & 0xFF);
    }

    /**
     * @param h a whole header
     * @return its wall-clock base
     */
    public static long wallBase(byte[] h) {
        return Codec.getLong(h, 12);
    }

    /**
     * @param h a whole header
     * @return its monotonic base
     */
    public static long monotonicBase(byte[] h) {
        return Codec.getLong(h, 20);
    }
}
