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
 * before: what lets {@code asynctrace view} know where the trace ends (its time range)
 * before the background pass gets there.
 *
 * <p>Segments are chained forwards only (tag, body length, CRC32C), so the search goes
 * backwards from the end, {@value #CHUNK} bytes at a time and as far as the largest
 * segment the format allows ({@link Wire#MAX_SEGMENT}): a segment ends where the next one
 * starts (the file's end for the last), and a candidate start is taken only when its tag,
 * its length and the checksum of its body all agree. Memory is one chunk, whatever the
 * segments' size. A file cut mid-segment (a crashed recording) has no whole segment
 * ending at its end: there the last whole segment is the one whose end is the start of
 * the cut one (a header whose length runs past the end of the file), and the search
 * goes on from it. A file with neither yields none; that is not an error: the page then
 * learns the trace's end from the background pass, as it reads.
 */
final class TailSegments {
    /** Bytes read from the file at a time, going backwards. */
    static final int CHUNK = 1 << 20;

    private TailSegments() {
    }

    /**
     * @param file the trace
     * @param fileSize its size
     * @param most the most segments wanted
     * @param maxBytes past the last two segments, no more are taken once they would hold more than this
     * @return the byte ranges {@code {start, end}} of up to {@code most} last whole segments,
     *     in file order; empty when none is found
     */
    static long[][] find(Path file, long fileSize, int most, long maxBytes) {
        Deque<long[]> found = new ArrayDeque<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            CRC32C crc = new CRC32C();
            long end = fileSize;
            long total = 0;
            while (found.size() < most) {
                long start = segmentEndingAt(ch, end, crc);
                if (start < 0 && end == fileSize) {
                    end = cutSegmentStart(ch, fileSize, crc); // a file cut mid-segment: the segments before it
                    start = end < 0 ? -1 : segmentEndingAt(ch, end, crc);
                }
                if (start < 0 || (found.size() >= 2 && total + (end - start) > maxBytes)) {
                    break;
                }
                found.addFirst(new long[] {start, end});
                total += end - start;
                end = start;
            }
        } catch (IOException e) {
            return new long[0][];
        }
        return found.toArray(new long[0][]);
    }

    /** As {@link #find(Path, long, int, long)}, whatever their size. */
    static long[][] find(Path file, long fileSize, int most) {
        return find(file, fileSize, most, Long.MAX_VALUE);
    }

    /** @return the start of the whole segment that ends at {@code end}, or -1 */
    private static long segmentEndingAt(FileChannel ch, long end, CRC32C crc) throws IOException {
        return segmentEndingAt(ch, end, crc, Wire.MAX_SEGMENT);
    }

    /** As above, for segments of at most {@code longest} bytes. */
    private static long segmentEndingAt(FileChannel ch, long end, CRC32C crc, long longest) throws IOException {
        long lowest = Math.max(Wire.HEADER_SIZE, end - Wire.SEGMENT_PREFIX - longest);
        byte[] buf = new byte[CHUNK + Wire.SEGMENT_PREFIX];
        // Candidate starts p, from the last one that leaves room for a prefix and a 4-byte body, down.
        long p = end - Wire.SEGMENT_PREFIX - 4;
        while (p >= lowest) {
            long lo = Math.max(lowest, p - CHUNK + 1);
            int n = (int) Math.min(end - lo, p - lo + Wire.SEGMENT_PREFIX);
            if (!readFully(ch, ByteBuffer.wrap(buf, 0, n), lo)) {
                return -1;
            }
            for (; p >= lo; p--) {
                int at = (int) (p - lo);
                if (buf[at] != Wire.SEGMENT_TAG) {
                    continue;
                }
                long body = end - p - Wire.SEGMENT_PREFIX;
                if ((Codec.getInt(buf, at + 1) & 0xFFFFFFFFL) != body) {
                    continue;
                }
                if (crcOf(ch, p + Wire.SEGMENT_PREFIX, body, crc) == Codec.getInt(buf, at + 5)) {
                    return p;
                }
            }
        }
        return -1;
    }

    /**
     * @return the start of a segment cut off by the end of the file: a header (tag, and a
     *     length that runs past the end) right after a whole segment; -1 if there is none
     *     within {@link Wire#MAX_SEGMENT} of the end
     */
    private static long cutSegmentStart(FileChannel ch, long fileSize, CRC32C crc) throws IOException {
        long lowest = Math.max(Wire.HEADER_SIZE, fileSize - Wire.SEGMENT_PREFIX - Wire.MAX_SEGMENT);
        byte[] buf = new byte[CHUNK + Wire.SEGMENT_PREFIX];
        long p = fileSize - Wire.SEGMENT_PREFIX;
        int checked = 0;
        while (p >= lowest) {
            long lo = Math.max(lowest, p - CHUNK + 1);
            int n = (int) Math.min(fileSize - lo, p - lo + Wire.SEGMENT_PREFIX);
            if (!readFully(ch, ByteBuffer.wrap(buf, 0, n), lo)) {
                return -1;
            }
            for (; p >= lo; p--) {
                int at = (int) (p - lo);
                if (buf[at] != Wire.SEGMENT_TAG) {
                    continue;
                }
                long body = Codec.getInt(buf, at + 1) & 0xFFFFFFFFL;
                if (body > Wire.MAX_SEGMENT || p + Wire.SEGMENT_PREFIX + body <= fileSize) {
                    continue;
                }
                // A header cut off: real if a whole segment ends right before it (the first does at the file's
                // header), looked for as far back as CUT_PREVIOUS: a look-alike in the cut body costs no more.
                if (p == Wire.HEADER_SIZE || segmentEndingAt(ch, p, crc, CUT_PREVIOUS) >= 0) {
                    return p;
                }
                if (++checked == MAX_CUT_CANDIDATES) {
                    return -1; // the tail of a cut segment full of look-alike headers: let the pass find the end
                }
            }
        }
        return -1;
    }

    /** Look-alike cut headers checked (each costs a search backwards) before giving up on a cut file. */
    private static final int MAX_CUT_CANDIDATES = 16;
    /** In a cut file, the longest segment before the cut one that is found (longer: the pass finds the end). */
    private static final long CUT_PREVIOUS = 4L << 20;

    private static int crcOf(FileChannel ch, long from, long length, CRC32C crc) throws IOException {
        crc.reset();
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(length, CHUNK));
        long at = from;
        long left = length;
        while (left > 0) {
            b.clear().limit((int) Math.min(left, b.capacity()));
            if (!readFully(ch, b, at)) {
                return 0;
            }
            b.flip();
            crc.update(b);
            at += b.limit();
            left -= b.limit();
        }
        return (int) crc.getValue();
    }

    private static boolean readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                return false;
            }
            pos += n;
        }
        return true;
    }

    /** Reads the last segments into a {@link TimelineIndex} before its pass: their latest time, lanes and keys. */
    static final class Scout implements TraceHandler {
        private final TimelineIndex index;

        Scout(TimelineIndex index) {
            this.index = index;
        }

        @Override
        public void onThread(long thread, String name) {
            if (!name.isEmpty()) { // "": a name in a table the scout has not read (the pass names it)
                index.onThread(thread, name);
            }
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
