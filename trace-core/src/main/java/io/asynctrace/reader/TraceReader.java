package io.asynctrace.reader;

import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.EventCursor;
import io.asynctrace.internal.format.FileHeader;
import io.asynctrace.internal.format.FormatException;
import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.Wire;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads a trace file as a stream of events, one segment at a time.
 *
 * <p>Memory is one segment (at most {@value Wire#MAX_SEGMENT} bytes, typically about
 * 1 MiB) whatever the file size; a length field larger than the bytes that follow
 * it never allocates more than those bytes. A file that ends early, inside the
 * header or a segment, is not an error: every complete segment is delivered and
 * {@link #truncated()} is set, with {@link #truncatedAt()} the offset of the first
 * byte that was not read. Anything else that is not a valid trace throws
 * {@link CorruptTraceException} naming the byte offset.
 *
 * <pre>{@code
 * try (TraceReader reader = TraceReader.open(Path.of("app.trace"))) {
 *     reader.read(new TraceHandler() {
 *         public void onLog(long time, long thread, long task, String category, String message) {
 *             System.out.println(category + ": " + message);
 *         }
 *     });
 *     if (reader.truncated()) System.err.println("truncated at byte " + reader.truncatedAt());
 * }
 * }</pre>
 *
 * <p>Not thread-safe; {@link #read} may be called once.
 */
public final class TraceReader implements AutoCloseable {
    private final InputStream in;
    private final SegmentCodec codec = new SegmentCodec();
    private final EventCursor cursor = new EventCursor();
    private boolean used;

    private long offset;
    private long truncatedAt = -1;
    private boolean complete;
    private long events;
    private long segments;
    private long dropped;
    private TraceHeader header;

    // Current segment.
    private byte[] body = new byte[64 << 10];
    private int limit;
    private long bodyOffset;
    private String[] strings = new String[1];

    /**
     * @param in the trace bytes; buffered by the reader, closed by {@link #close()}
     */
    public TraceReader(InputStream in) {
        this.in = new BufferedInputStream(Objects.requireNonNull(in, "in"), 1 << 16);
    }

    /**
     * @param file a trace file
     * @return a reader of it
     * @throws IOException if the file cannot be opened
     */
    public static TraceReader open(Path file) throws IOException {
        return new TraceReader(Files.newInputStream(file));
    }

    /**
     * Reads the whole trace, calling {@code handler} for each event in file order.
     *
     * @param handler receives the events
     * @throws CorruptTraceException if the input is not a valid trace
     * @throws IOException if reading the input fails
     */
    public void read(TraceHandler handler) throws IOException {
        if (used) {
            throw new IllegalStateException("read may be called once");
        }
        used = true;
        if (!readHeader()) {
            return;
        }
        handler.onHeader(header);
        while (!complete) {
            long segmentOffset = offset;
            byte[] prefix = new byte[Wire.SEGMENT_PREFIX];
            int n = readUpTo(prefix, 0, prefix.length);
            if (n < prefix.length) {
                truncatedAt = segmentOffset;
                return;
            }
            if (prefix[0] != Wire.SEGMENT_TAG) {
                throw new CorruptTraceException(segmentOffset, "expected a segment (tag 'S'), found byte 0x"
                        + Integer.toHexString(prefix[0] & 0xFF));
            }
            long length = Codec.getInt(prefix, 1) & 0xFFFFFFFFL;
            if (length > Wire.MAX_SEGMENT || length < 4) {
                throw new CorruptTraceException(segmentOffset + 1, "segment length " + length + " out of range");
            }
            if (!readBody((int) length)) {
                truncatedAt = segmentOffset;
                return;
            }
            if (!codec.checksumMatches(body, limit, Codec.getInt(prefix, 5))) {
                throw new CorruptTraceException(segmentOffset, "segment checksum mismatch");
            }
            bodyOffset = segmentOffset + Wire.SEGMENT_PREFIX;
            try {
                parseSegment(handler, segmentOffset);
            } catch (FormatException e) {
                throw new CorruptTraceException(bodyOffset + e.position(), e.getMessage());
            }
            segments++;
        }
    }

    /** @return whether the file ended before its final segment */
    public boolean truncated() {
        return truncatedAt >= 0;
    }

    /** @return the offset of the first byte not read because the file ended early, or -1 */
    public long truncatedAt() {
        return truncatedAt;
    }

    /** @return whether the final segment of a cleanly stopped recording was read */
    public boolean complete() {
        return complete;
    }

    /** @return the header, or null if it could not be read */
    public TraceHeader header() {
        return header;
    }

    /** @return events delivered so far */
    public long events() {
        return events;
    }

    /** @return segments read so far */
    public long segments() {
        return segments;
    }

    /** @return events the recorder dropped, summed over the segments read */
    public long dropped() {
        return dropped;
    }

    /** @return bytes consumed so far */
    public long offset() {
        return offset;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean readHeader() throws IOException {
        byte[] h = new byte[Wire.HEADER_SIZE];
        int n = readUpTo(h, 0, h.length);
        int bad = FileHeader.badMagicAt(h, n);
        if (bad >= 0) {
            throw new CorruptTraceException(bad, "not an asynctrace trace (bad magic)");
        }
        if (n >= 10) {
            int version = FileHeader.version(h);
            if (version != Wire.VERSION) {
                throw new UnsupportedVersionException(version, Wire.VERSION);
            }
        }
        if (n < h.length) {
            truncatedAt = n;
            return false;
        }
        header = new TraceHeader(Wire.VERSION, FileHeader.wallBase(h), FileHeader.monotonicBase(h));
        return true;
    }

    /** Reads {@code length} body bytes, growing the array only as bytes arrive; false if the input ends first. */
    private boolean readBody(int length) throws IOException {
        int got = 0;
        while (got < length) {
            if (got == body.length) {
                body = Arrays.copyOf(body, (int) Math.min(length, body.length * 2L));
            }
            int want = Math.min(length, body.length) - got;
            int n = readUpTo(body, got, want);
            got += n;
            if (n < want) {
                return false;
            }
        }
        limit = length;
        return true;
    }

    private int readUpTo(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = in.read(b, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        offset += total;
        return total;
    }

    private void parseSegment(TraceHandler h, long segmentOffset) throws IOException, FormatException {
        EventCursor c = cursor.reset(body, 0, limit);
        int flags = c.readByte();
        long sequence = c.readVar();
        long droppedHere = c.readVar();
        long count = c.readVar();
        if (count >= Wire.MAX_STRINGS) {
            throw new FormatException(c.position(), "string table of " + count + " entries exceeds " + Wire.MAX_STRINGS);
        }
        if (strings.length < count + 1) {
            strings = new String[(int) count + 1];
        }
        for (int i = 1; i <= count; i++) {
            strings[i] = c.readString();
        }
        c.tableSize((int) count);
        String[] table = strings;
        dropped += droppedHere;
        h.onSegment(sequence, segmentOffset, droppedHere);

        while (c.next()) {
            long ts = c.time();
            long thread = c.thread();
            switch (c.type()) {
                case Wire.BATCH, Wire.BATCH_RESUME -> {
                    h.onThread(thread, c.string(1, table));
                    continue;
                }
                case Wire.TASK_BEGIN -> h.onTaskBegin(ts, thread, c.arg(0), c.arg(1), c.string(2, table), false);
                case Wire.TASK_BEGIN_EARLIER -> h.onTaskBegin(ts - c.arg(3), thread, c.arg(0), c.arg(1),
                        c.string(2, table), true);
                case Wire.TASK_END -> h.onTaskEnd(ts, thread, c.arg(0), c.string(1, table));
                case Wire.SPAN_BEGIN -> h.onSpanBegin(ts, thread, c.arg(0), c.arg(1), c.arg(2), c.string(3, table));
                case Wire.SPAN_END -> h.onSpanEnd(ts, thread, c.arg(0));
                case Wire.LOG -> h.onLog(ts, thread, c.arg(0), c.string(1, table), c.string(2, table));
                case Wire.LOG_CUT -> h.onLogCut(ts, thread, c.arg(0), c.string(1, table), c.string(2, table), c.arg(3));
                case Wire.TASK_ATTR -> h.onAttribute(ts, thread, c.arg(0), false, c.string(1, table), c.string(2, table));
                case Wire.SPAN_ATTR -> h.onAttribute(ts, thread, c.arg(0), true, c.string(1, table), c.string(2, table));
                case Wire.MISUSE -> h.onMisuse(ts, thread, Misuse.of(c.arg(0)), c.arg(1));
                case Wire.JOB_QUEUED -> h.onJobQueued(ts, thread, c.arg(0), c.arg(1));
                case Wire.JOB_START -> h.onJobStarted(ts, thread, c.arg(0));
                case Wire.JOB_END -> h.onJobFinished(ts, thread, c.arg(0));
                case Wire.RUNTIME -> h.onRuntime(ts, thread, RuntimeKind.of(c.arg(0)), c.arg(1), c.arg(2),
                        c.string(3, table));
                default -> throw new FormatException(c.eventStart(), "event type 0x"
                        + Integer.toHexString(c.type() & 0xFF) + " has no reader");
            }
            events++;
        }
        if ((flags & Wire.FLAG_FINAL) != 0) {
            complete = true;
        }
    }
}
