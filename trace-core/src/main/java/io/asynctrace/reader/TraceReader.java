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
 * <p>Tables: from format version 3 a segment carries only the strings, frames and
 * stacks its file did not have yet, so the reader keeps the file's tables (bounded:
 * {@value Wire#MAX_STRINGS} strings of at most {@value Wire#MAX_STRING_TABLE_BYTES}
 * bytes, {@value Wire#MAX_FRAMES} frames, {@value Wire#MAX_STACKS} stacks). To read
 * segments from the middle of such a file on their own, start a reader with the
 * {@link #tables()} an earlier reader held after the segment before them (or after
 * any later segment of the same file: entries never change within a file).
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
    private int version = Wire.VERSION;
    private long stacksLost;

    // The tables: ids 1..count. Version 3 keeps them across the file's segments (each adds to them);
    // versions 1 and 2 start them afresh in every segment. Frames and stacks equal to ones seen
    // before are the same objects (versions 1 and 2 repeat the table in every segment).
    private String[] strings = new String[1];
    private int stringCount;
    private long stringBytes;
    private StackFrame[] frames = new StackFrame[1];
    private int frameCount;
    private CallStack[] stacks = new CallStack[1];
    private int stackCount;
    /** A {@link Tables} refers to the array: copy it before writing below its count. */
    private boolean sharedStrings;
    private boolean sharedFrames;
    private boolean sharedStacks;
    /** Started from {@link Tables#LENIENT}: entries not read stand in as "". */
    private boolean lenient;
    private final java.util.HashMap<StackFrame, StackFrame> framePool = new java.util.HashMap<>();
    private final java.util.HashMap<CallStack, CallStack> stackPool = new java.util.HashMap<>();

    /**
     * The string and stack tables a reader holds after the segments it has read: what a
     * reader of later segments of the same file starts from ({@link TraceReader#TraceReader(InputStream,
     * Tables)}). Immutable; cheap to take after every segment (the arrays are shared until
     * either reader writes).
     */
    public static final class Tables {
        /** No entries: what a reader starts from by default. */
        public static final Tables NONE = new Tables(new String[1], 0, new StackFrame[1], 0, new CallStack[1], 0);
        /**
         * No entries, and entries a segment's tables continue from but the reader never
         * read stand in as {@code ""} (frames and stacks empty) instead of making the
         * segment corrupt: for a reader that needs only times and thread names, of
         * segments from the middle of a file read without those before them.
         */
        public static final Tables LENIENT = new Tables(new String[1], 0, new StackFrame[1], 0, new CallStack[1], 0);

        private final String[] strings;
        private final int stringCount;
        private final StackFrame[] frames;
        private final int frameCount;
        private final CallStack[] stacks;
        private final int stackCount;

        private Tables(String[] strings, int stringCount, StackFrame[] frames, int frameCount, CallStack[] stacks,
                       int stackCount) {
            this.strings = strings;
            this.stringCount = stringCount;
            this.frames = frames;
            this.frameCount = frameCount;
            this.stacks = stacks;
            this.stackCount = stackCount;
        }

        /** @return strings held (ids 1..this) */
        public int strings() {
            return stringCount;
        }
    }

    /**
     * @param in the trace bytes; buffered by the reader, closed by {@link #close()}
     */
    public TraceReader(InputStream in) {
        this(in, Tables.NONE);
    }

    /**
     * A reader of some segments from the middle of a file (format version 3 on), behind
     * its header: it starts with the tables another reader of the same file held
     * ({@link #tables()}) after the segment before the first one here, or after a later one.
     *
     * @param in the header's bytes, then whole segments of the same file, in file order
     * @param start the tables to start from
     */
    public TraceReader(InputStream in, Tables start) {
        this.in = new BufferedInputStream(Objects.requireNonNull(in, "in"), 1 << 16);
        Objects.requireNonNull(start, "start");
        strings = Arrays.copyOf(start.strings, Math.max(start.stringCount + 1, 1));
        stringCount = start.stringCount;
        frames = Arrays.copyOf(start.frames, Math.max(start.frameCount + 1, 1));
        frameCount = start.frameCount;
        stacks = Arrays.copyOf(start.stacks, Math.max(start.stackCount + 1, 1));
        stackCount = start.stackCount;
        lenient = start == Tables.LENIENT;
    }

    /**
     * @return the tables as they stand after the segments read so far (during {@link #read},
     *         from a handler's {@link TraceHandler#onSegment}: after that segment's tables)
     */
    public Tables tables() {
        sharedStrings = true;
        sharedFrames = true;
        sharedStacks = true;
        return new Tables(strings, stringCount, frames, frameCount, stacks, stackCount);
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
        boolean once = version >= Wire.TABLES_ONCE_VERSION;
        readStrings(c, once ? c.readVar() : 1, c.readVar());
        c.tableSize(stringCount);
        String[] table = strings;
        boolean withStacks = version >= Wire.STACKS_VERSION;
        if (withStacks) {
            readStackTable(c, table, once);
        }
        c.stacks(withStacks, withStacks ? stackCount : 0);
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
     * Checks where a segment's entries of one table go: ids {@code first..first+count-1},
     * after the {@code known} ones (or over some of them: a reader started from a later
     * segment's tables sees entries again, the same ones); {@code first} 1 starts afresh.
     */
    private static void checkSection(EventCursor c, String what, long first, long count, int known, int max)
            throws FormatException {
        if (first < 1 || first - 1 > known) {
            throw new FormatException(c.position(), "segment's " + what + " start at id " + first + " but only "
                    + known + " were read before it (a segment before it is missing)");
        }
        if (count >= max || first - 1 + count >= max) {
            throw new FormatException(c.position(), what + " up to id " + (first - 1 + count) + " exceed " + max);
        }
    }

    private void readStrings(EventCursor c, long first, long count) throws FormatException {
        if (lenient && first - 1 > stringCount && first < Wire.MAX_STRINGS) {
            strings = Arrays.copyOf(strings, Math.max(strings.length, (int) first));
            Arrays.fill(strings, stringCount + 1, (int) first, "");
            stringCount = (int) first - 1;
            sharedStrings = false;
        }
        checkSection(c, "strings", first, count, first == 1 ? 0 : stringCount, Wire.MAX_STRINGS);
        int end = (int) (first - 1 + count);
        if (sharedStrings && first <= stringCount) {
            strings = first == 1 ? new String[end + 1] : Arrays.copyOf(strings, Math.max(end, stringCount) + 1);
            sharedStrings = false;
        }
        if (first == 1) {
            stringCount = 0;
            stringBytes = 0;
        }
        if (strings.length < end + 1) {
            strings = Arrays.copyOf(strings, end + 1);
        }
        for (int id = (int) first; id <= end; id++) {
            int at = c.position();
            strings[id] = c.readString();
            if (id > stringCount) {
                stringBytes += c.position() - at;
                stringCount = id;
            }
        }
        if (version >= Wire.TABLES_ONCE_VERSION && stringBytes > Wire.MAX_STRING_TABLE_BYTES) {
            throw new FormatException(c.position(), "string table of " + stringBytes + " bytes exceeds "
                    + Wire.MAX_STRING_TABLE_BYTES);
        }
    }

    /**
     * Reads the segment's stack table (format version 2 on): frames, then stacks made of
     * them; in version 3 with the first id of each (the entries past those of the
     * segments before). Every id and count is checked against what is present; a reader
     * never allocates more than the bytes there could hold.
     */
    private void readStackTable(EventCursor c, String[] table, boolean once) throws FormatException {
        long first = once ? c.readVar() : 1;
        long count = c.readVar();
        if (lenient && first - 1 > frameCount && first < Wire.MAX_FRAMES) {
            frames = Arrays.copyOf(frames, Math.max(frames.length, (int) first));
            Arrays.fill(frames, frameCount + 1, (int) first, new StackFrame("", "", "", 0));
            frameCount = (int) first - 1;
            sharedFrames = false;
        }
        checkSection(c, "frames", first, count, first == 1 ? 0 : frameCount, Wire.MAX_FRAMES);
        int end = (int) (first - 1 + count);
        if (sharedFrames && first <= frameCount) {
            frames = first == 1 ? new StackFrame[1] : Arrays.copyOf(frames, frames.length);
            sharedFrames = false;
        }
        if (first == 1) {
            frameCount = 0;
        }
        for (int id = (int) first; id <= end; id++) {
            if (id >= frames.length) {
                frames = Arrays.copyOf(frames, (int) Math.min(end + 1, Math.max(frames.length * 2L, 16)));
            }
            String className = c.readRef(table);
            String method = c.readRef(table);
            String file = c.readRef(table);
            long line = c.readVar();
            frames[id] = frame(className, method, file, (int) Math.min(line, Integer.MAX_VALUE));
            frameCount = Math.max(frameCount, id);
        }
        first = once ? c.readVar() : 1;
        count = c.readVar();
        if (lenient && first - 1 > stackCount && first < Wire.MAX_STACKS) {
            stacks = Arrays.copyOf(stacks, Math.max(stacks.length, (int) first));
            Arrays.fill(stacks, stackCount + 1, (int) first, CallStack.of(java.util.List.of(), false));
            stackCount = (int) first - 1;
            sharedStacks = false;
        }
        checkSection(c, "stacks", first, count, first == 1 ? 0 : stackCount, Wire.MAX_STACKS);
        end = (int) (first - 1 + count);
        if (sharedStacks && first <= stackCount) {
            stacks = first == 1 ? new CallStack[1] : Arrays.copyOf(stacks, stacks.length);
            sharedStacks = false;
        }
        if (first == 1) {
            stackCount = 0;
        }
        for (int id = (int) first; id <= end; id++) {
            if (id >= stacks.length) {
                stacks = Arrays.copyOf(stacks, (int) Math.min(end + 1, Math.max(stacks.length * 2L, 16)));
            }
            long head = c.readVar();
            long n = head >>> 1;
            if (n > Wire.MAX_STACK_DEPTH) {
                throw new FormatException(c.position(), "stack of " + n + " frames exceeds " + Wire.MAX_STACK_DEPTH);
            }
            StackFrame[] f = new StackFrame[(int) n];
            for (int k = 0; k < n; k++) {
                long fid = c.readVar();
                if (fid < 1 || fid > frameCount) {
                    throw new FormatException(c.position(), "frame reference " + fid + " not in the table of "
                            + frameCount);
                }
                f[k] = frames[(int) fid];
            }
            CallStack s = CallStack.of(Arrays.asList(f), (head & 1) != 0);
            CallStack known = stackPool.putIfAbsent(s, s);
            stacks[id] = known != null ? known : s;
            stackCount = Math.max(stackCount, id);
        }
        if (stackPool.size() > 4 * Wire.MAX_STACKS) {
            stackPool.clear(); // only a file of unrelated segments gets here; equal stacks stay equal anyway
        }
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
