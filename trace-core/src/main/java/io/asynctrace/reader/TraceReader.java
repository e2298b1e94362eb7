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
    private int version = Wire.VERSION;
    private long stacksLost;
    // The current segment's stack table: ids 1..N. Frames and stacks equal to ones of earlier
    // segments are the same objects (a recording repeats its table in every segment).
    private StackFrame[] frames = new StackFrame[1];
    private CallStack[] stacks = new CallStack[1];
    private final java.util.HashMap<StackFrame, StackFrame> framePool = new java.util.HashMap<>();
    private final java.util.HashMap<CallStack, CallStack> stackPool = new java.util.HashMap<>();

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
            version = FileHeader.version(h);
            if (version < Wire.OLDEST_VERSION || version > Wire.VERSION) {
                throw new UnsupportedVersionException(version, Wire.VERSION);
            }
        }
        if (n < h.length) {
            truncatedAt = n;
            return false;
        }
        header = new TraceHeader(version, FileHeader.wallBase(h), FileHeader.monotonicBase(h));
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
        boolean withStacks = version >= Wire.STACKS_VERSION;
        int stackCount = withStacks ? readStackTable(c, table) : 0;
        c.stacks(withStacks, stackCount);
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
                case Wire.TASK_BEGIN -> h.onTaskBegin(ts, thread, c.arg(0), c.arg(1), c.string(2, table), false,
                        stack(c));
                case Wire.TASK_BEGIN_EARLIER -> h.onTaskBegin(ts - c.arg(3), thread, c.arg(0), c.arg(1),
                        c.string(2, table), true, stack(c));
                case Wire.TASK_END -> h.onTaskEnd(ts, thread, c.arg(0), c.string(1, table));
                case Wire.SPAN_BEGIN -> h.onSpanBegin(ts, thread, c.arg(0), c.arg(1), c.arg(2), c.string(3, table),
                        stack(c));
                case Wire.SPAN_END -> h.onSpanEnd(ts, thread, c.arg(0));
                case Wire.LOG -> h.onLog(ts, thread, c.arg(0), c.string(1, table), c.string(2, table), stack(c));
                case Wire.LOG_CUT -> h.onLogCut(ts, thread, c.arg(0), c.string(1, table), c.string(2, table), c.arg(3),
                        stack(c));
                case Wire.TASK_ATTR -> h.onAttribute(ts, thread, c.arg(0), false, c.string(1, table), c.string(2, table));
                case Wire.SPAN_ATTR -> h.onAttribute(ts, thread, c.arg(0), true, c.string(1, table), c.string(2, table));
                case Wire.MISUSE -> h.onMisuse(ts, thread, Misuse.of(c.arg(0)), c.arg(1));
                case Wire.JOB_QUEUED -> h.onJobQueued(ts, thread, c.arg(0), c.arg(1), stack(c));
                case Wire.JOB_START -> h.onJobStarted(ts, thread, c.arg(0));
                case Wire.JOB_END -> h.onJobFinished(ts, thread, c.arg(0));
                case Wire.RUNTIME -> h.onRuntime(ts, thread, RuntimeKind.of(c.arg(0)), c.arg(1), c.arg(2),
                        c.string(3, table), stack(c));
                default -> throw new FormatException(c.eventStart(), "event type 0x"
                        + Integer.toHexString(c.type() & 0xFF) + " has no reader");
            }
            events++;
        }
        if ((flags & Wire.FLAG_FINAL) != 0) {
            complete = true;
        }
    }

    /**
     * Reads the segment's stack table (format version 2 on): frames, then stacks made of
     * them. Every id and count is checked against what is present; a reader never
     * allocates more than the bytes there could hold.
     *
     * @return the number of stacks
     */
    private int readStackTable(EventCursor c, String[] table) throws FormatException {
        long frameCount = c.readVar();
        if (frameCount >= Wire.MAX_FRAMES) {
            throw new FormatException(c.position(), "stack table of " + frameCount + " frames exceeds "
                    + Wire.MAX_FRAMES);
        }
        if (frames.length < frameCount + 1) {
            frames = new StackFrame[(int) Math.min(frameCount + 1, Math.max(frames.length * 2L, 16))];
        }
        for (int i = 1; i <= frameCount; i++) {
            if (i >= frames.length) {
                frames = Arrays.copyOf(frames, (int) Math.min(frameCount + 1, frames.length * 2L));
            }
            String className = c.readRef(table);
            String method = c.readRef(table);
            String file = c.readRef(table);
            long line = c.readVar();
            frames[i] = frame(className, method, file, (int) Math.min(line, Integer.MAX_VALUE));
        }
        long stackCount = c.readVar();
        if (stackCount >= Wire.MAX_STACKS) {
            throw new FormatException(c.position(), "stack table of " + stackCount + " stacks exceeds "
                    + Wire.MAX_STACKS);
        }
        if (stacks.length < stackCount + 1) {
            stacks = new CallStack[(int) Math.min(stackCount + 1, Math.max(stacks.length * 2L, 16))];
        }
        for (int i = 1; i <= stackCount; i++) {
            if (i >= stacks.length) {
                stacks = Arrays.copyOf(stacks, (int) Math.min(stackCount + 1, stacks.length * 2L));
            }
            long head = c.readVar();
            long n = head >>> 1;
            if (n > Wire.MAX_STACK_DEPTH) {
                throw new FormatException(c.position(), "stack of " + n + " frames exceeds " + Wire.MAX_STACK_DEPTH);
            }
            StackFrame[] f = new StackFrame[(int) n];
            for (int k = 0; k < n; k++) {
                long id = c.readVar();
                if (id < 1 || id > frameCount) {
                    throw new FormatException(c.position(), "frame reference " + id + " not in the segment's table of "
                            + frameCount);
                }
                f[k] = frames[(int) id];
            }
            CallStack s = CallStack.of(Arrays.asList(f), (head & 1) != 0);
            CallStack known = stackPool.putIfAbsent(s, s);
            stacks[i] = known != null ? known : s;
        }
        if (stackPool.size() > 4 * Wire.MAX_STACKS) {
            stackPool.clear(); // only a file of unrelated segments gets here; equal stacks stay equal anyway
        }
        return (int) stackCount;
    }

    private StackFrame frame(String className, String method, String file, int line) {
        StackFrame f = new StackFrame(className, method, file, line);
        StackFrame known = framePool.putIfAbsent(f, f);
        if (framePool.size() > 4 * Wire.MAX_FRAMES) {
            framePool.clear();
        }
        return known != null ? known : f;
    }

    /** The current event's stack, or null when it carries none (or lost it: counted in {@link #stacksLost()}). */
    private CallStack stack(EventCursor c) {
        int id = c.stack();
        if (id < 0) {
            return null;
        }
        if (id == 0) {
            stacksLost++;
            return null;
        }
        return stacks[id];
    }

    /**
     * @return events read so far that carried a stack the recorder could not keep (its stack
     *         table was full); they are delivered without one
     */
    public long stacksLost() {
        return stacksLost;
    }
}
