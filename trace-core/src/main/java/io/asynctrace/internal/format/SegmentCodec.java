package io.asynctrace.internal.format;

import java.util.zip.CRC32C;

/**
 * Segment framing: {@code 'S'}, u32 body length, u32 CRC32C of the body, then the
 * body: u8 flags, varint sequence, varint dropped, varint N, N strings, the stack table
 * ({@link StackTableBytes}: frames and stacks, version 2 on), events.
 * Not thread-safe (one CRC and scratch head per instance).
 */
public final class SegmentCodec {
    /** Most bytes of a body's head (flags and three varints). */
    public static final int MAX_HEAD = 1 + 3 * Codec.MAX_VARINT;

    private final CRC32C crc = new CRC32C();
    private final byte[] head = new byte[MAX_HEAD];

    /**
     * Frames a segment into {@code out} at 0: prefix, head, the string table's encoded
     * bytes, the stack table, the events.
     *
     * @param out where the segment goes; at least {@link #size} bytes
     * @param flags {@code Wire.FLAG_*}
     * @param sequence the segment's number in its output
     * @param dropped events dropped since the previous segment of that output
     * @param stringCount strings in the table
     * @param strings the table's encoded strings
     * @param stringsLength bytes of them
     * @param stacks the stack table
     * @param events the batches
     * @param eventsOffset where they start
     * @param eventsLength bytes of them
     * @return the segment's length
     * @throws IllegalArgumentException if the body would exceed {@link Wire#MAX_SEGMENT}
     */
    public int frame(byte[] out, int flags, long sequence, long dropped, int stringCount, byte[] strings,
                     int stringsLength, StackTableBytes.Snapshot stacks, byte[] events, int eventsOffset,
                     int eventsLength) {
        int h = head(flags, sequence, dropped, stringCount);
        long tableEnd = (long) Wire.SEGMENT_PREFIX + h + stringsLength + stacks.size();
        check(tableEnd - Wire.SEGMENT_PREFIX + eventsLength);
        int q = Wire.SEGMENT_PREFIX;
        System.arraycopy(head, 0, out, q, h);
        q += h;
        System.arraycopy(strings, 0, out, q, stringsLength);
        q += stringsLength;
        q = Codec.putVar(out, q, stacks.frameCount());
        System.arraycopy(stacks.frames(), 0, out, q, stacks.framesLength());
        q += stacks.framesLength();
        q = Codec.putVar(out, q, stacks.stackCount());
        System.arraycopy(stacks.stacks(), 0, out, q, stacks.stacksLength());
        q += stacks.stacksLength();
        System.arraycopy(events, eventsOffset, out, q, eventsLength);
        long bodyLength = (long) q - Wire.SEGMENT_PREFIX + eventsLength;
        crc.reset();
        crc.update(out, Wire.SEGMENT_PREFIX, (int) bodyLength);
        out[0] = Wire.SEGMENT_TAG;
        Codec.putInt(out, 1, (int) bodyLength);
        Codec.putInt(out, 5, (int) crc.getValue());
        return Wire.SEGMENT_PREFIX + (int) bodyLength;
    }

    /**
     * @param stringsLength bytes of the encoded string table
     * @param stacks the stack table
     * @param eventsLength bytes of events
     * @return the most bytes {@link #frame} writes for them
     */
    public static long size(int stringsLength, StackTableBytes.Snapshot stacks, int eventsLength) {
        return (long) Wire.SEGMENT_PREFIX + MAX_HEAD + stringsLength + stacks.size() + eventsLength;
    }

    /**
     * @param flags {@code Wire.FLAG_*}
     * @return an empty segment (sequence 0, no drops, no strings): what closes a snapshot
     */
    public byte[] empty(int flags) {
        byte[] out = new byte[(int) size(0, StackTableBytes.Snapshot.EMPTY, 0)];
        int n = frame(out, flags, 0, 0, 0, out, 0, StackTableBytes.Snapshot.EMPTY, out, 0, 0);
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * @param stringsLength bytes of the encoded table
     * @param stacks the stack table
     * @param eventsLength bytes of events
     * @return whether a segment of them stays within {@link Wire#MAX_SEGMENT}
     */
    public static boolean fits(long stringsLength, StackTableBytes.Snapshot stacks, long eventsLength) {
        return MAX_HEAD + stringsLength + stacks.size() + eventsLength <= Wire.MAX_SEGMENT;
    }

    private int head(int flags, long sequence, long dropped, int stringCount) {
        int p = 0;
        head[p++] = (byte) flags;
        p = Codec.putVar(head, p, sequence);
        p = Codec.putVar(head, p, dropped);
        return Codec.putVar(head, p, stringCount);
    }

    private static void check(long bodyLength) {
        if (bodyLength > Wire.MAX_SEGMENT) {
            throw new IllegalArgumentException("segment of " + bodyLength + " bytes exceeds the format's limit of "
                    + Wire.MAX_SEGMENT + " (string table too large)");
        }
    }

    /**
     * Checks a segment's checksum.
     *
     * @param body the body bytes
     * @param length how many
     * @param expected the CRC32C from the prefix
     * @return whether they match
     */
    public boolean checksumMatches(byte[] body, int length, int expected) {
        crc.reset();
        crc.update(body, 0, length);
        return (int) crc.getValue() == expected;
    }

}
