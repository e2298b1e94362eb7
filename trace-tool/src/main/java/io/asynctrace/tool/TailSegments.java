package io.asynctrace.tool;

import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.Wire;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.zip.CRC32C;

/**
 * Finds the last segments of a trace file from its end, without reading what comes
 * before: what lets {@code asynctrace view} know where the trace ends (its time range,
 * its lanes) before the background pass gets there.
 *
 * <p>Segments are chained forwards only (tag, body length, CRC32C), so the search goes
 * backwards through the last {@value #TAIL_BYTES} bytes: a segment ends where the next
 * one starts (the file's end for the last), and a candidate start is taken only when its
 * tag, its length and the checksum of its body all agree. A file whose tail holds no
 * such segment (truncated mid-segment, or segments larger than the tail read) yields
 * none; that is not an error, the background pass reads everything anyway.
 */
final class TailSegments {
    /** Bytes read from the end of the file. */
    static final int TAIL_BYTES = 4 << 20;

    private TailSegments() {
    }

    /**
     * @param file the trace
     * @param fileSize its size
     * @param most the most segments wanted
     * @return the byte ranges {@code {start, end}} of up to {@code most} last whole segments,
     *     in file order; empty when none is found
     */
    static long[][] find(Path file, long fileSize, int most) {
        long tailStart = Math.max(Wire.HEADER_SIZE, fileSize - TAIL_BYTES);
        int length = (int) Math.max(0, fileSize - tailStart);
        byte[] tail = new byte[length];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(tail);
            while (b.hasRemaining()) {
                if (ch.read(b, tailStart + b.position()) < 0) {
                    return new long[0][];
                }
            }
        } catch (IOException e) {
            return new long[0][];
        }
        CRC32C crc = new CRC32C();
        Deque<long[]> found = new ArrayDeque<>();
        int end = length;
        while (found.size() < most) {
            int start = segmentEndingAt(tail, end, crc);
            if (start < 0) {
                break;
            }
            found.addFirst(new long[] {tailStart + start, tailStart + end});
            end = start;
        }
        return found.toArray(new long[0][]);
    }

    /**
     * @param file the trace
     * @param tail its last segments, from {@link #find}, not empty
     * @return the first segment's range followed by {@code tail} (just {@code tail} if it starts there)
     */
    static long[][] withFirst(Path file, long[][] tail) {
        if (tail[0][0] <= Wire.HEADER_SIZE) {
            return tail;
        }
        byte[] prefix = new byte[Wire.SEGMENT_PREFIX];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(prefix);
            while (b.hasRemaining()) {
                if (ch.read(b, Wire.HEADER_SIZE + b.position()) < 0) {
                    return tail;
                }
            }
        } catch (IOException e) {
            return tail;
        }
        long end = Wire.HEADER_SIZE + Wire.SEGMENT_PREFIX + (io.asynctrace.internal.format.Codec.getInt(prefix, 1)
                & 0xFFFFFFFFL);
        if (prefix[0] != Wire.SEGMENT_TAG || end > tail[0][0]) {
            return tail;
        }
        long[][] all = new long[tail.length + 1][];
        all[0] = new long[] {Wire.HEADER_SIZE, end};
        System.arraycopy(tail, 0, all, 1, tail.length);
        return all;
    }

    /** @return the start of the whole segment in {@code tail} that ends at {@code end}, or -1 */
    private static int segmentEndingAt(byte[] tail, int end, CRC32C crc) {
        for (int p = end - Wire.SEGMENT_PREFIX - 4; p >= 0; p--) {
            if (tail[p] != Wire.SEGMENT_TAG) {
                continue;
            }
            int body = end - p - Wire.SEGMENT_PREFIX;
            if (Codec.getInt(tail, p + 1) != body) {
                continue;
            }
            crc.reset();
            crc.update(tail, p + Wire.SEGMENT_PREFIX, body);
            if ((int) crc.getValue() == Codec.getInt(tail, p + 5)) {
                return p;
            }
        }
        return -1;
    }

    /** Reads the last segments into a {@link TimelineIndex} before its pass: their lanes, keys and latest time. */
    static final class Scout implements TraceHandler {
        private final TimelineIndex index;

        Scout(TimelineIndex index) {
            this.index = index;
        }

        @Override
        public void onThread(long thread, String name) {
            index.onThread(thread, name);
        }

        @Override
        public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
            if (!type.isEmpty()) {
                index.typeMet(type); // with group-by, the lanes need the tasks' attributes; "": a name not read
            }
            index.scouted(time);
        }

        @Override
        public void onTaskEnd(long time, long thread, long task, String outcome) {
            index.scouted(time);
        }

        @Override
        public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
            index.scouted(time);
        }

        @Override
        public void onSpanEnd(long time, long thread, long span) {
            index.scouted(time);
        }

        @Override
        public void onLog(long time, long thread, long task, String category, String message) {
            index.scouted(time);
        }

        @Override
        public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
            if (!onSpan && !key.isEmpty()) {
                index.key(key);
            }
            index.scouted(time);
        }

        @Override
        public void onJobQueued(long time, long thread, long job, long task) {
            index.scouted(time);
        }

        @Override
        public void onJobStarted(long time, long thread, long job) {
            index.scouted(time);
        }

        @Override
        public void onJobFinished(long time, long thread, long job) {
            index.scouted(time);
        }

        @Override
        public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
            index.scouted(time);
        }
    }
}
