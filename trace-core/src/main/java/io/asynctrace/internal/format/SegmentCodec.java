package io.asynctrace.internal.format;

import java.util.zip.CRC32C;

/**
 * Segment framing (format version 3): {@code 'S'}, u32 body length, u32 CRC32C of the
 * body, then the body:
 *
 * <pre>
 *  u8 flags | varint sequence | varint dropped
 *  varint first string id | varint N | N strings            (ids first..first+N-1)
 *  varint first frame id  | varint N | N frames             (see StackTableBytes)
 *  varint first stack id  | varint N | N stacks
 *  events ...
 * </pre>
 *
 * Each output of a recording is one table epoch: its first segment starts every table at
 * id 1, and each later one carries only the entries added since the segment before it
 * in that output ({@link Sent} keeps count), so a string is written once per output,
 * not once per segment. A first id of 1 starts the tables afresh. Not thread-safe (one
 * CRC and scratch head per instance).
 */
public final class SegmentCodec {
    /** Most bytes of a body's head and its six table varints. */
    public static final int MAX_HEAD = 1 + 8 * Codec.MAX_VARINT;

    private final CRC32C crc = new CRC32C();

    /**
     * What one output has been sent of a recording's tables: ids 1..n of each. Confined
     * to whoever frames that output's segments; {@link #frame} advances it.
     */
    public static final class Sent {
        int strings;
        int frames;
        int stacks;

        /** @return strings sent so far */
        public int strings() {
            return strings;
        }
    }

    /**
     * Frames a segment into {@code out} at 0: prefix, head, the table entries past what
     * {@code sent} says the output has (all of them for a fresh {@link Sent}), the
     * events; then counts them as sent.
     *
     * @param out where the segment goes; at least {@link #size} bytes
     * @param flags {@code Wire.FLAG_*}
     * @param sequence the segment's number in its output
     * @param dropped events dropped since the previous segment of that output
     * @param strings the string table
     * @param stacks the stack table (its frames' strings are all in {@code strings})
     * @param sent what the output has of both; advanced to their counts
     * @param events the batches
     * @param eventsOffset where they start
     * @param eventsLength bytes of them
     * @return the segment's length
     * @throws IllegalArgumentException if the body would exceed {@link Wire#MAX_SEGMENT}
     */
    public int frame(byte[] out, int flags, long sequence, long dropped, StringTableBytes.Snapshot strings,
                     StackTableBytes.Snapshot stacks, Sent sent, byte[] events, int eventsOffset, int eventsLength) {
        check(size(strings, stacks, sent, eventsLength) - Wire.SEGMENT_PREFIX);
        int q = Wire.SEGMENT_PREFIX;
        out[q++] = (byte) flags;
        q = Codec.putVar(out, q, sequence);
        q = Codec.putVar(out, q, dropped);
        q = section(out, q, sent.strings, strings.count(), strings.bytes(), strings.startOf(sent.strings),
                strings.length());
        q = section(out, q, sent.frames, stacks.frameCount(), stacks.frames(), stacks.frameStart(sent.frames),
                stacks.framesLength());
        q = section(out, q, sent.stacks, stacks.stackCount(), stacks.stacks(), stacks.stackStart(sent.stacks),
                stacks.stacksLength());
        System.arraycopy(events, eventsOffset, out, q, eventsLength);
        long bodyLength = (long) q - Wire.SEGMENT_PREFIX + eventsLength;
        crc.reset();
        crc.update(out, Wire.SEGMENT_PREFIX, (int) bodyLength);
        out[0] = Wire.SEGMENT_TAG;
        Codec.putInt(out, 1, (int) bodyLength);
        Codec.putInt(out, 5, (int) crc.getValue());
        sent.strings = Math.max(sent.strings, strings.count());
        sent.frames = Math.max(sent.frames, stacks.frameCount());
        sent.stacks = Math.max(sent.stacks, stacks.stackCount());
        return Wire.SEGMENT_PREFIX + (int) bodyLength;
    }

    /**
     * One table's entries past {@code known}: first id, count, their bytes {@code [from, to)};
     * none when the table has no more than that (a segment without a table adds nothing).
     */
    private static int section(byte[] out, int q, int known, int count, byte[] bytes, int from, int to) {
        q = Codec.putVar(out, q, known + 1);
        if (count <= known) {
            return Codec.putVar(out, q, 0);
        }
        q = Codec.putVar(out, q, count - known);
        System.arraycopy(bytes, from, out, q, to - from);
        return q + to - from;
    }

    /**
     * @param strings the string table
     * @param stacks the stack table
     * @param sent what the output has of them
     * @param eventsLength bytes of events
     * @return the most bytes {@link #frame} writes for them
     */
    public static long size(StringTableBytes.Snapshot strings, StackTableBytes.Snapshot stacks, Sent sent,
                            int eventsLength) {
        long tables = strings.length() - strings.startOf(sent.strings)
                + stacks.framesLength() - stacks.frameStart(sent.frames)
                + stacks.stacksLength() - stacks.stackStart(sent.stacks);
        return (long) Wire.SEGMENT_PREFIX + MAX_HEAD + tables + eventsLength;
    }

    /**
     * @param flags {@code Wire.FLAG_*}
     * @return an empty segment (sequence 0, no drops, empty tables): what closes a snapshot
     */
    public byte[] empty(int flags) {
        Sent none = new Sent();
        byte[] out = new byte[(int) size(StringTableBytes.Snapshot.EMPTY, StackTableBytes.Snapshot.EMPTY, none, 0)];
        int n = frame(out, flags, 0, 0, StringTableBytes.Snapshot.EMPTY, StackTableBytes.Snapshot.EMPTY, none, out,
                0, 0);
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * @param stringsLength bytes of the encoded string table
     * @param stacks the stack table
     * @param eventsLength bytes of events
     * @return whether a segment of them, with the whole tables, stays within {@link Wire#MAX_SEGMENT}
     */
    public static boolean fits(long stringsLength, StackTableBytes.Snapshot stacks, long eventsLength) {
        return MAX_HEAD + stringsLength + stacks.size() + eventsLength <= Wire.MAX_SEGMENT;
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
