package io.asynctrace.reader;

import io.asynctrace.internal.format.BatchState;
import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.FileHeader;
import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.StackTableBytes;
import io.asynctrace.internal.format.StringTableBytes;
import io.asynctrace.internal.format.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a trace file from events, offline: a {@link TraceHandler} that encodes what
 * it receives in the current format version (3), stacks included. Connect a {@link TraceReader} to it through a
 * handler that filters or rewrites events to cut a trace down (one task tree, one
 * time window) or to merge traces.
 *
 * <pre>{@code
 * try (TraceReader in = TraceReader.open(source);
 *      TraceWriter out = new TraceWriter(Files.newOutputStream(target))) {
 *     in.read(out);          // a copy; wrap `out` in a filtering handler to keep less
 * }
 * }</pre>
 *
 * <p>The header is the one passed to {@link #onHeader} (a reader passes its own
 * first), else one taken when the first event arrives. Events may come in any
 * order; each thread's events are batched as they come, starting a new batch
 * whenever the thread changes or time goes back. Thread names come from
 * {@link #onThread}. It encodes with the recorder's own encoder and string rules
 * (names, keys and values cut as the recorder cuts them, never inside a surrogate
 * pair; thread names and runtime details inline; a cut log stays a cut log), so
 * the same events give the same bytes. {@link #close()} writes the final segment
 * and closes the stream. Not thread-safe.
 */
public final class TraceWriter implements TraceHandler, AutoCloseable {
    private static final int SEGMENT_TARGET = 1 << 20;
    /** Room for any one event: a batch header with an inline thread name, then a cut log with an inline category. */
    private static final int MAX_EVENT = EventEncoder.batchRoom(0, "x".repeat(Wire.MAX_NAME_CHARS)) + EventEncoder.FIXED
            + Codec.refSize(0, "x".repeat(Wire.MAX_NAME_CHARS)) + Codec.maxStringBytes(Wire.MAX_MESSAGE_CHARS);

    private final OutputStream out;
    private final SegmentCodec codec = new SegmentCodec();
    private boolean headerWritten;
    private boolean closed;
    private long sequence;
    private long droppedPending;

    private final Map<String, Integer> stringIds = new HashMap<>();
    private final StringTableBytes strings = new StringTableBytes();
    /** What the file has of the tables so far. */
    private final SegmentCodec.Sent sent = new SegmentCodec.Sent();
    private final Map<Long, String> threadNames = new HashMap<>();

    /** Room for an event and a batch header, twice. */
    private final byte[] body = new byte[SEGMENT_TARGET + 2 * MAX_EVENT];
    private int pos;
    private final BatchState batch = new BatchState();
    private long batchThread = -1;


    // The stack table: frames and stacks of the events written, each interned once.
    private final Map<StackFrame, Integer> frameIds = new HashMap<>();
    private final Map<CallStack, Integer> stackIds = new HashMap<>();
    private final StackTableBytes stackBytes = new StackTableBytes();
    private int[] frameScratch = new int[64];

    /**
     * @param out where the trace goes; closed by {@link #close()}
     */
    public TraceWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public void onHeader(TraceHeader header) {
        if (!headerWritten) {
            writeHeader(header);
        }
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        droppedPending += dropped;
    }

    /**
     * Adds events the source dropped to the count carried by the next segment.
     *
     * @param count dropped events
     */
    public void addDropped(long count) {
        droppedPending += count;
    }

    @Override
    public void onThread(long thread, String name) {
        threadNames.put(thread, name);
    }

    /**
     * Writes a {@code TASK_BEGIN}; an {@code earlier} one in a batch of its own at the
     * task's creation time (the trace's base if it was created before), its type inline,
     * as the recorder writes the begin of a task it meets again.
     */
    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        onTaskBegin(time, thread, task, parent, type, earlier, null);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier,
                            CallStack stack) {
        String v = name(type);
        if (!earlier) {
            long t = begin(thread, time);
            pos = EventEncoder.taskBegin(body, pos, batch, t, task, parent, ref(v), v, false, 0, stackRef(stack));
            return;
        }
        open();
        long at = Math.max(0, time);
        batchThread = -1; // a batch of its own
        batchFor(thread, at);
        pos = EventEncoder.taskBegin(body, pos, batch, at, task, parent, 0, v, true, at - time, stackRef(stack));
        batchThread = -1; // and the next event starts another
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        long t = begin(thread, time);
        String v = name(outcome);
        pos = EventEncoder.taskEnd(body, pos, batch, t, task, ref(v), v);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        onSpanBegin(time, thread, span, parent, task, name, null);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        long t = begin(thread, time);
        String v = name(name);
        pos = EventEncoder.spanBegin(body, pos, batch, t, span, parent, task, ref(v), v, stackRef(stack));
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        long t = begin(thread, time);
        pos = EventEncoder.idEvent(body, pos, batch, Wire.SPAN_END, t, span);
    }

    /** Writes a {@code LOG}, or a {@code LOG_CUT} if the message is longer than the recorder keeps. */
    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        onLog(time, thread, task, category, message, null);
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        String m = message == null ? "null" : message;
        log(time, thread, task, category, m, m.length(), stack);
    }

    /** Writes a {@code LOG_CUT}: the cut message and its original length, as the recorder wrote it. */
    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars) {
        onLogCut(time, thread, task, category, message, originalChars, null);
    }

    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars,
                         CallStack stack) {
        String m = message == null ? "null" : message;
        log(time, thread, task, category, m, Math.max(originalChars, m.length() + 1L), stack);
    }

    private void log(long time, long thread, long task, String category, String message, long originalChars,
                     CallStack stack) {
        long t = begin(thread, time);
        String c = name(category);
        int keep = Codec.cut(message, Wire.MAX_MESSAGE_CHARS);
        pos = EventEncoder.log(body, pos, batch, t, task, ref(c), c, message, keep,
                originalChars > message.length() ? originalChars : keep < message.length() ? message.length() : keep,
                stackRef(stack));
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        long t = begin(thread, time);
        String k = name(key);
        String v = value == null ? "null" : value;
        pos = EventEncoder.attribute(body, pos, batch, t, onSpan, target, ref(k), k, v, Codec.cut(v, Wire.MAX_NAME_CHARS));
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        onJobQueued(time, thread, job, task, null);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        long t = begin(thread, time);
        pos = EventEncoder.jobQueued(body, pos, batch, t, job, task, stackRef(stack));
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        long t = begin(thread, time);
        pos = EventEncoder.idEvent(body, pos, batch, Wire.JOB_START, t, job);
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        long t = begin(thread, time);
        pos = EventEncoder.idEvent(body, pos, batch, Wire.JOB_END, t, job);
    }

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        long t = begin(thread, time);
        pos = EventEncoder.misuse(body, pos, batch, t, kind.code(), id);
    }

    /** Writes a {@code RUNTIME} in a batch of its own, its detail inline, as the recorder does. */
    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        onRuntime(time, thread, kind, duration, value, detail, null);
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                          CallStack stack) {
        batchThread = -1;
        long t = begin(thread, time);
        batchThread = -1; // whoever writes next starts a batch of their own
        pos = EventEncoder.runtime(body, pos, batch, t, kind.code(), duration, value, 0, name(detail), stackRef(stack));
    }

    /**
     * The stack's id in the table, adding it and its frames while the table has room;
     * {@link EventEncoder#NO_STACK} for none, 0 when the table is full (the event says a stack was lost).
     */
    private int stackRef(CallStack stack) {
        if (stack == null) {
            return EventEncoder.NO_STACK;
        }
        Integer id = stackIds.get(stack);
        if (id != null) {
            return id;
        }
        int n = Math.min(stack.size(), Wire.MAX_STACK_DEPTH);
        if (stackBytes.stackCount() + 1 >= Wire.MAX_STACKS
                || stackBytes.length() + StackTableBytes.stackRoom(n) > Wire.MAX_STACK_TABLE_BYTES) {
            return 0;
        }
        if (frameScratch.length < n) {
            frameScratch = new int[n];
        }
        for (int i = 0; i < n; i++) {
            StackFrame f = stack.frame(i);
            Integer fid = frameIds.get(f);
            if (fid == null) {
                int room = StackTableBytes.frameRoom(f.className().length(), f.method().length(), f.file().length());
                if (stackBytes.frameCount() + 1 >= Wire.MAX_FRAMES
                        || stackBytes.length() + room > Wire.MAX_STACK_TABLE_BYTES) {
                    return 0;
                }
                String c = Codec.cutString(f.className(), Wire.MAX_NAME_CHARS);
                String m = Codec.cutString(f.method(), Wire.MAX_NAME_CHARS);
                String file = Codec.cutString(f.file(), Wire.MAX_NAME_CHARS);
                fid = stackBytes.addFrame(ref(c), c, ref(m), m, ref(file), file, f.line());
                frameIds.put(f, fid);
            }
            frameScratch[i] = fid;
        }
        id = stackBytes.addStack(frameScratch, n, stack.truncated() || n < stack.size());
        stackIds.put(stack, id);
        return id;
    }

    /**
     * Writes the final segment and closes the stream.
     *
     * @throws IOException if writing fails
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            closed = true;
            flushSegment(Wire.FLAG_FINAL); // the last segment is the final one, as the recorder ends a trace
        } finally {
            out.close();
        }
    }

    /** Starts an event: header, segment room, batch; returns its time (never negative). */
    private long begin(long thread, long time) {
        open();
        long t = Math.max(0, time);
        batchFor(thread, t);
        return t;
    }

    /** Checks the writer is open, writes the header if needed, and cuts a segment once enough is pending. */
    private void open() {
        if (closed) {
            throw new IllegalStateException("TraceWriter is closed");
        }
        if (!headerWritten) {
            writeHeader(new TraceHeader(Wire.VERSION, System.currentTimeMillis() * 1_000_000L, System.nanoTime()));
        }
        if (pos >= SEGMENT_TARGET) {
            try {
                flushSegment(0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Makes the current batch {@code thread}'s, starting one if the thread changed or time went back. */
    private void batchFor(long thread, long t) {
        if (thread != batchThread || t < batch.lastTs) {
            String name = threadNames.getOrDefault(thread, "");
            // Thread names inline, as the recorder writes them: they must not fill the table.
            pos = EventEncoder.batch(body, pos, batch, thread, 0, name, t, t);
            batchThread = thread;
        }
    }

    private void writeHeader(TraceHeader h) {
        try {
            out.write(FileHeader.encode(h.wallBaseNanos(), h.monotonicBase()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        headerWritten = true;
    }

    private void flushSegment(int flags) throws IOException {
        if (!headerWritten) {
            writeHeader(new TraceHeader(Wire.VERSION, System.currentTimeMillis() * 1_000_000L, System.nanoTime()));
        }
        StackTableBytes.Snapshot stacks = stackBytes.snapshot();
        StringTableBytes.Snapshot table = strings.snapshot();
        if (!SegmentCodec.fits(table.length(), stacks, pos)) {
            throw new IOException("segment of " + (table.length() + stacks.size() + pos)
                    + " bytes exceeds the format's limit of " + Wire.MAX_SEGMENT + " (string or stack table too large)");
        }
        // Each table entry once per file: a segment carries what the ones before it did not.
        byte[] segment = new byte[(int) SegmentCodec.size(table, stacks, sent, pos)];
        int n = codec.frame(segment, flags, sequence++, droppedPending, table, stacks, sent, body, 0, pos);
        out.write(segment, 0, n);
        out.flush();
        droppedPending = 0;
        pos = 0;
        batchThread = -1; // the next segment starts with a fresh batch
    }

    private static String name(String s) {
        return s == null ? "null" : s;
    }

    /**
     * The table id of {@code s} cut as the recorder cuts names, adding it while the table has room
     * ({@link Wire#MAX_STRINGS}, {@link Wire#MAX_STRING_TABLE_BYTES}); 0: inline.
     */
    private int ref(String s) {
        String kept = Codec.cutString(s, Wire.MAX_NAME_CHARS);
        Integer id = stringIds.get(kept);
        if (id == null && stringIds.size() + 1 < Wire.MAX_STRINGS
                && strings.length() + Codec.MAX_VARINT + Codec.utf8Length(kept, kept.length())
                        <= Wire.MAX_STRING_TABLE_BYTES) {
            id = strings.add(kept);
            stringIds.put(kept, id);
        }
        return id == null ? 0 : id;
    }
}
