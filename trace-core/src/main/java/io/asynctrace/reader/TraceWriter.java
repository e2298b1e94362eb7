package io.asynctrace.reader;

import io.asynctrace.internal.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Writes a trace file from events, offline: a {@link TraceHandler} that encodes what
 * it receives in format version 1. Connect a {@link TraceReader} to it through a
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
 * {@link #onThread}. {@link #close()} writes the final segment and closes the
 * stream. Not thread-safe.
 */
public final class TraceWriter implements TraceHandler, AutoCloseable {
    private static final int SEGMENT_TARGET = 1 << 20;
    /** Room for any one event: a cut log with inline category and a batch header with an inline thread name. */
    private static final int MAX_EVENT = 64 + 3 * (Wire.MAX_MESSAGE_CHARS + 64 + 3 * Wire.MAX_NAME_CHARS);

    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private boolean headerWritten;
    private boolean closed;
    private long sequence;
    private long droppedPending;

    private final Map<String, Integer> stringIds = new HashMap<>();
    private byte[] strings = new byte[4096];
    private int stringsLength;
    private final Map<Long, String> threadNames = new HashMap<>();

    private byte[] body = new byte[SEGMENT_TARGET + MAX_EVENT];
    private int pos;
    private long batchThread = -1;
    private long lastTs;
    private long lastId;
    private long lastTask;

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

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        int p = head(earlier ? Wire.TASK_BEGIN_EARLIER : Wire.TASK_BEGIN, thread, time);
        p = zig(p, task - lastTask);
        lastTask = task;
        p = zig(p, parent == 0 ? 0 : task - parent);
        p = ref(p, type);
        if (earlier) {
            p = var(p, lastTs - time);
        }
        pos = p;
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        int p = head(Wire.TASK_END, thread, time);
        p = zig(p, task - lastTask);
        lastTask = task;
        pos = ref(p, outcome);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        int p = head(Wire.SPAN_BEGIN, thread, time);
        p = zig(p, span - lastId);
        lastId = span;
        p = zig(p, parent == 0 ? 0 : span - parent);
        p = zig(p, task - lastTask);
        lastTask = task;
        pos = ref(p, name);
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        idEvent(Wire.SPAN_END, time, thread, span);
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        int p = head(Wire.LOG, thread, time);
        p = zig(p, task - lastTask);
        lastTask = task;
        p = ref(p, category);
        pos = string(p, message, Wire.MAX_MESSAGE_CHARS + 64); // a cut message keeps its note
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        int p = head(onSpan ? Wire.SPAN_ATTR : Wire.TASK_ATTR, thread, time);
        if (onSpan) {
            p = zig(p, target - lastId);
            lastId = target;
        } else {
            p = zig(p, target - lastTask);
            lastTask = target;
        }
        p = ref(p, key);
        pos = string(p, value, Wire.MAX_NAME_CHARS);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        int p = head(Wire.JOB_QUEUED, thread, time);
        p = zig(p, job - lastId);
        lastId = job;
        p = zig(p, task - lastTask);
        lastTask = task;
        pos = p;
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        idEvent(Wire.JOB_START, time, thread, job);
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        idEvent(Wire.JOB_END, time, thread, job);
    }

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        int p = head(Wire.MISUSE, thread, time);
        p = var(p, kind.code());
        pos = var(p, id);
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        int p = head(Wire.RUNTIME, thread, time);
        p = var(p, kind.code());
        p = var(p, Math.max(0, duration));
        p = var(p, Math.max(0, value));
        pos = ref(p, detail);
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
        closed = true;
        try {
            flushSegment(Wire.FLAG_FINAL);
        } finally {
            out.close();
        }
    }

    private void idEvent(byte type, long time, long thread, long id) {
        int p = head(type, thread, time);
        p = zig(p, id - lastId);
        lastId = id;
        pos = p;
    }

    /** Starts an event: segment room, header, batch; returns the position after its type and time delta. */
    private int head(byte type, long thread, long time) {
        if (closed) {
            throw new IllegalStateException("TraceWriter is closed");
        }
        if (!headerWritten) {
            writeHeader(new TraceHeader(Wire.VERSION, System.currentTimeMillis() * 1_000_000L, System.nanoTime()));
        }
        if (pos >= SEGMENT_TARGET) {
            flushSegmentUnchecked();
        }
        long t = Math.max(0, time);
        if (thread != batchThread || t < lastTs) {
            body[pos++] = Wire.BATCH;
            pos = var(pos, thread);
            body[pos++] = 0; // thread names inline, as the recorder writes them: they must not fill the table
            pos = string(pos, threadNames.getOrDefault(thread, ""), Wire.MAX_NAME_CHARS);
            pos = var(pos, t);
            batchThread = thread;
            lastTs = t;
            lastId = 0;
            lastTask = 0;
        }
        body[pos] = type;
        int p = var(pos + 1, t - lastTs);
        lastTs = t;
        return p;
    }

    private void writeHeader(TraceHeader h) {
        byte[] b = new byte[Wire.HEADER_SIZE];
        System.arraycopy(Wire.MAGIC, 0, b, 0, Wire.MAGIC.length);
        b[9] = (byte) Wire.VERSION;
        putLong(b, 12, h.wallBaseNanos());
        putLong(b, 20, h.monotonicBase());
        try {
            out.write(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        headerWritten = true;
    }

    private void flushSegmentUnchecked() {
        try {
            flushSegment(0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void flushSegment(int flags) throws IOException {
        if (!headerWritten) {
            writeHeader(new TraceHeader(Wire.VERSION, System.currentTimeMillis() * 1_000_000L, System.nanoTime()));
        }
        byte[] head = new byte[31];
        int p = 0;
        head[p++] = (byte) flags;
        p = putVar(head, p, sequence++);
        p = putVar(head, p, droppedPending);
        p = putVar(head, p, stringIds.size());
        long bodyLength = (long) p + stringsLength + pos;
        if (bodyLength > Wire.MAX_SEGMENT) {
            throw new IOException("segment of " + bodyLength + " bytes exceeds the format's limit of "
                    + Wire.MAX_SEGMENT + " (string table too large)");
        }
        crc.reset();
        crc.update(head, 0, p);
        crc.update(strings, 0, stringsLength);
        crc.update(body, 0, pos);
        byte[] prefix = new byte[Wire.SEGMENT_PREFIX];
        prefix[0] = Wire.SEGMENT_TAG;
        putInt(prefix, 1, (int) bodyLength);
        putInt(prefix, 5, (int) crc.getValue());
        out.write(prefix);
        out.write(head, 0, p);
        out.write(strings, 0, stringsLength);
        out.write(body, 0, pos);
        out.flush();
        droppedPending = 0;
        pos = 0;
        batchThread = -1; // the next segment starts with a fresh batch
    }

    private int ref(int p, String s) {
        String v = s == null ? "null" : s;
        Integer id = stringIds.get(v);
        if (id == null && stringIds.size() + 1 < Wire.MAX_STRINGS) {
            id = stringIds.size() + 1;
            stringIds.put(v, id);
            byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
            if (stringsLength + 10 + utf8.length > strings.length) {
                strings = Arrays.copyOf(strings, Math.max(strings.length * 2, stringsLength + 10 + utf8.length));
            }
            stringsLength = putVar(strings, stringsLength, utf8.length);
            System.arraycopy(utf8, 0, strings, stringsLength, utf8.length);
            stringsLength += utf8.length;
        }
        if (id != null) {
            return var(p, id);
        }
        body[p++] = 0;
        return string(p, v, Wire.MAX_NAME_CHARS);
    }

    private int string(int p, String s, int maxChars) {
        String v = s == null ? "null" : s.length() > maxChars ? s.substring(0, maxChars) : s;
        byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
        p = var(p, utf8.length);
        System.arraycopy(utf8, 0, body, p, utf8.length);
        return p + utf8.length;
    }

    private int var(int p, long v) {
        return putVar(body, p, v);
    }

    private int zig(int p, long v) {
        return putVar(body, p, (v << 1) ^ (v >> 63));
    }

    private static int putVar(byte[] d, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            d[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d[p++] = (byte) v;
        return p;
    }

    private static void putInt(byte[] d, int p, int v) {
        d[p] = (byte) (v >>> 24);
        d[p + 1] = (byte) (v >>> 16);
        d[p + 2] = (byte) (v >>> 8);
        d[p + 3] = (byte) v;
    }

    private static void putLong(byte[] d, int p, long v) {
        putInt(d, p, (int) (v >>> 32));
        putInt(d, p + 4, (int) v);
    }
}
