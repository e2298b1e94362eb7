package io.asynctrace.reader;

import io.asynctrace.internal.Wire;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

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
    private final CRC32C crc = new CRC32C();
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
    private int pos;
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
            long length = getInt(prefix, 1) & 0xFFFFFFFFL;
            if (length > Wire.MAX_SEGMENT || length < 4) {
                throw new CorruptTraceException(segmentOffset + 1, "segment length " + length + " out of range");
            }
            if (!readBody((int) length)) {
                truncatedAt = segmentOffset;
                return;
            }
            crc.reset();
            crc.update(body, 0, limit);
            if ((int) crc.getValue() != getInt(prefix, 5)) {
                throw new CorruptTraceException(segmentOffset, "segment checksum mismatch");
            }
            bodyOffset = segmentOffset + Wire.SEGMENT_PREFIX;
            parseSegment(handler, segmentOffset);
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
        for (int i = 0; i < Math.min(n, Wire.MAGIC.length); i++) {
            if (h[i] != Wire.MAGIC[i]) {
                throw new CorruptTraceException(i, "not an asynctrace trace (bad magic)");
            }
        }
        if (n >= 10) {
            int version = ((h[8] & 0xFF) << 8) | (h[9] & 0xFF);
            if (version != Wire.VERSION) {
                throw new UnsupportedVersionException(version, Wire.VERSION);
            }
        }
        if (n < h.length) {
            truncatedAt = n;
            return false;
        }
        header = new TraceHeader(Wire.VERSION, getLong(h, 12), getLong(h, 20));
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
        pos = 0;
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

    private void parseSegment(TraceHandler h, long segmentOffset) throws IOException {
        int flags = body[pos++] & 0xFF;
        long sequence = var();
        long droppedHere = var();
        long count = var();
        if (count >= Wire.MAX_STRINGS) {
            throw corrupt("string table of " + count + " entries exceeds " + Wire.MAX_STRINGS);
        }
        if (strings.length < count + 1) {
            strings = new String[(int) count + 1];
        }
        for (int i = 1; i <= count; i++) {
            strings[i] = string();
        }
        int stringCount = (int) count;
        dropped += droppedHere;
        h.onSegment(sequence, segmentOffset, droppedHere);

        long thread = -1;
        long ts = 0;
        long lastId = 0;
        long lastTask = 0;
        while (pos < limit) {
            int eventStart = pos;
            byte type = body[pos++];
            if (type == Wire.BATCH || type == Wire.BATCH_RESUME) {
                thread = var();
                String name = ref(stringCount);
                ts = var();
                lastId = type == Wire.BATCH ? 0 : var();
                lastTask = type == Wire.BATCH ? 0 : var();
                h.onThread(thread, name);
                continue;
            }
            if (thread < 0) {
                pos = eventStart;
                throw corrupt("event before any batch header");
            }
            ts += var();
            switch (type) {
                case Wire.TASK_BEGIN:
                case Wire.TASK_BEGIN_EARLIER: {
                    long task = lastTask + zig();
                    lastTask = task;
                    long parentDelta = zig();
                    String name = ref(stringCount);
                    long time = ts;
                    if (type == Wire.TASK_BEGIN_EARLIER) {
                        time = ts - var();
                    }
                    h.onTaskBegin(time, thread, task, parentDelta == 0 ? 0 : task - parentDelta, name,
                            type == Wire.TASK_BEGIN_EARLIER);
                    break;
                }
                case Wire.TASK_END: {
                    long task = lastTask + zig();
                    lastTask = task;
                    h.onTaskEnd(ts, thread, task, ref(stringCount));
                    break;
                }
                case Wire.SPAN_BEGIN: {
                    long span = lastId + zig();
                    lastId = span;
                    long parentDelta = zig();
                    long task = lastTask + zig();
                    lastTask = task;
                    h.onSpanBegin(ts, thread, span, parentDelta == 0 ? 0 : span - parentDelta, task, ref(stringCount));
                    break;
                }
                case Wire.SPAN_END:
                    lastId += zig();
                    h.onSpanEnd(ts, thread, lastId);
                    break;
                case Wire.LOG:
                case Wire.LOG_CUT: {
                    long task = lastTask + zig();
                    lastTask = task;
                    String category = ref(stringCount);
                    String message = string();
                    if (type == Wire.LOG_CUT) {
                        message = message + "… [cut from " + var() + " chars]";
                    }
                    h.onLog(ts, thread, task, category, message);
                    break;
                }
                case Wire.TASK_ATTR: {
                    long task = lastTask + zig();
                    lastTask = task;
                    String key = ref(stringCount);
                    h.onAttribute(ts, thread, task, false, key, string());
                    break;
                }
                case Wire.SPAN_ATTR: {
                    lastId += zig();
                    long span = lastId;
                    String key = ref(stringCount);
                    h.onAttribute(ts, thread, span, true, key, string());
                    break;
                }
                case Wire.MISUSE: {
                    Misuse kind = Misuse.of(var());
                    h.onMisuse(ts, thread, kind, var());
                    break;
                }
                case Wire.JOB_QUEUED: {
                    long job = lastId + zig();
                    lastId = job;
                    long task = lastTask + zig();
                    lastTask = task;
                    h.onJobQueued(ts, thread, job, task);
                    break;
                }
                case Wire.JOB_START:
                    lastId += zig();
                    h.onJobStarted(ts, thread, lastId);
                    break;
                case Wire.JOB_END:
                    lastId += zig();
                    h.onJobFinished(ts, thread, lastId);
                    break;
                case Wire.RUNTIME: {
                    RuntimeKind kind = RuntimeKind.of(var());
                    long duration = var();
                    long value = var();
                    h.onRuntime(ts, thread, kind, duration, value, ref(stringCount));
                    break;
                }
                default:
                    pos = eventStart;
                    throw corrupt("unknown event type 0x" + Integer.toHexString(type & 0xFF));
            }
            events++;
        }
        if ((flags & Wire.FLAG_FINAL) != 0) {
            complete = true;
        }
    }

    private CorruptTraceException corrupt(String problem) {
        return new CorruptTraceException(bodyOffset + pos, problem);
    }

    private long var() throws CorruptTraceException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw corrupt("segment ends inside a number");
            }
            byte b = body[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw corrupt("number longer than 10 bytes");
    }

    private long zig() throws CorruptTraceException {
        long v = var();
        return (v >>> 1) ^ -(v & 1);
    }

    private String string() throws CorruptTraceException {
        long n = var();
        if (n > limit - pos) {
            throw corrupt("string of " + n + " bytes overruns its segment");
        }
        String s = new String(body, pos, (int) n, StandardCharsets.UTF_8);
        pos += (int) n;
        return s;
    }

    private String ref(int count) throws CorruptTraceException {
        long id = var();
        if (id == 0) {
            return string();
        }
        if (id > count) {
            throw corrupt("string reference " + id + " not in the segment's table of " + count);
        }
        return strings[(int) id];
    }

    private static int getInt(byte[] d, int p) {
        return ((d[p] & 0xFF) << 24) | ((d[p + 1] & 0xFF) << 16) | ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
    }

    private static long getLong(byte[] d, int p) {
        return ((long) getInt(d, p) << 32) | (getInt(d, p + 4) & 0xFFFFFFFFL);
    }
}
