package io.asynctrace;

import io.asynctrace.internal.format.Wire;

/**
 * An interval of work with a name, under a task: begun by {@link Trace#startSpan}
 * (current on the calling thread, nested under its open span) or
 * {@link Task#startSpan} (detached, for intervals that end on another thread).
 *
 * <pre>{@code
 * try (Span span = Trace.startSpan("grind")) {
 *     grind(beans);
 * }
 * }</pre>
 *
 * <p>A span may end on any thread; it records the thread where it began and the one
 * where it ended. Ending it twice, or ending a span on its own thread while a span
 * begun after it there is still open, is misuse: recorded in the trace, never
 * thrown (except in {@linkplain TraceOptions#strict strict} mode). While tracing is
 * off, spans are a shared no-op instance and cost nothing to end.
 */
public final class Span implements AutoCloseable {
    static final Span NOOP = new Span(null, 0, 0, null);

    private final Recorder recorder;
    private final long id;
    private final long parentId;
    /** The thread that made this span current, or null for a detached span. */
    private final ThreadState owner;
    /** Plain field: a double end racing from two threads may go unreported, never corrupt anything. */
    private boolean ended;

    Span(Recorder recorder, long id, long parentId, ThreadState owner) {
        this.recorder = recorder;
        this.id = id;
        this.parentId = parentId;
        this.owner = owner;
    }

    /** @return this span's id in the trace, or 0 for the no-op span */
    public long id() {
        return id;
    }

    /** @return whether this span is being recorded (false for the no-op span) */
    public boolean isRecording() {
        return recorder != null;
    }

    /** Ends this span on the calling thread. */
    public void end() {
        Recorder r = recorder;
        if (r == null) {
            return;
        }
        ThreadState st = ThreadState.current();
        long ts = System.nanoTime();
        if (ended) {
            r.misuse(st, ts, Wire.MISUSE_SPAN_ENDED_TWICE, id, "span #" + id + " ended twice");
            return;
        }
        ended = true;
        boolean misnested = false;
        if (owner == st) {
            if (st.span == id) {
                st.span = parentId;
            } else {
                misnested = true;
            }
        }
        if (Recorder.active == r) {
            r.spanEnd(st, ts, id);
        }
        if (misnested) {
            r.misuse(st, ts, Wire.MISUSE_SPAN_MISNESTED, id, "span #" + id + " ended while a span begun after it is open");
        }
    }

    /** Same as {@link #end()}, for try-with-resources. */
    @Override
    public void close() {
        end();
    }

    /**
     * Records a key/value attribute of this span. Values are cut at
     * {@value Wire#MAX_NAME_CHARS} chars.
     *
     * @param key the attribute name; keep keys few
     * @param value its value
     * @return this span
     */
    public Span attr(String key, String value) {
        Recorder r = recorder;
        if (r != null && Recorder.active == r) {
            r.attribute(ThreadState.current(), System.nanoTime(), true, id, null, String.valueOf(key),
                    String.valueOf(value));
        }
        return this;
    }

    @Override
    public String toString() {
        return recorder == null ? "Span[noop]" : "Span[#" + id + "]";
    }
}
