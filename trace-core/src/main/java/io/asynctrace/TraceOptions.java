package io.asynctrace;

/**
 * How a recording buffers its events. Immutable; build one with {@link #defaults()}
 * and the {@code with*} methods.
 *
 * <p>Memory used by a recording is at most {@code bufferSize * maxBuffers} bytes of
 * event buffers (plus one segment being assembled by the writer thread), whatever
 * the number of threads: platform threads lease a buffer each while
 * {@code maxThreadBuffers} allows, and every other thread (virtual threads
 * always) shares a small set of striped buffers. When no buffer is free because
 * the writer has fallen behind, events are dropped and counted in the trace.
 *
 * <pre>{@code
 * Trace.start(out, TraceOptions.defaults().withBufferSize(256 * 1024).withMaxBuffers(64));
 * }</pre>
 */
public final class TraceOptions {
    /** The deepest stack {@link #withStackDepth} and {@link RuntimeEvents#withStackDepth} accept. */
    public static final int MAX_STACK_DEPTH = 1024;
    /** The default {@link #maxStringTableBytes()}: 1 MiB. */
    public static final int DEFAULT_STRING_TABLE_BYTES = 1 << 20;
    private static final TraceOptions DEFAULTS = new TraceOptions(64 * 1024, 256, 128, 1_000, false, null, 0,
            DEFAULT_STRING_TABLE_BYTES);

    private final int bufferSize;
    private final int maxBuffers;
    private final int maxThreadBuffers;
    private final long flushIntervalMillis;
    private final boolean strict;
    private final RuntimeEvents runtimeEvents;
    private final int stackDepth;

    private final int maxStringTableBytes;

    private TraceOptions(int bufferSize, int maxBuffers, int maxThreadBuffers, long flushIntervalMillis, boolean strict,
                         RuntimeEvents runtimeEvents, int stackDepth, int maxStringTableBytes) {
        this.maxStringTableBytes = maxStringTableBytes;
        this.bufferSize = bufferSize;
        this.maxBuffers = maxBuffers;
        this.maxThreadBuffers = maxThreadBuffers;
        this.flushIntervalMillis = flushIntervalMillis;
        this.strict = strict;
        this.runtimeEvents = runtimeEvents;
        this.stackDepth = stackDepth;
    }

    /**
     * Returns the defaults: 64 KiB buffers, at most 256 of them (16 MiB), at most 128
     * leased to single threads, a segment written at least every second, not strict.
     *
     * @return the default options
     */
    public static TraceOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with another buffer size.
     *
     * @param bytes size of one event buffer, from 16 KiB to 16 MiB
     * @return the new options
     * @throws IllegalArgumentException if {@code bytes} is out of range
     */
    public TraceOptions withBufferSize(int bytes) {
        if (bytes < 16 * 1024 || bytes > 16 << 20) {
            throw new IllegalArgumentException("bufferSize must be between 16 KiB and 16 MiB, was " + bytes);
        }
        return new TraceOptions(bytes, maxBuffers, maxThreadBuffers, flushIntervalMillis, strict, runtimeEvents,
                stackDepth, maxStringTableBytes);
    }

    /**
     * Returns a copy with another bound on the number of buffers.
     *
     * @param count the most buffers the recording allocates, at least 4
     * @return the new options
     * @throws IllegalArgumentException if {@code count} is below 4
     */
    public TraceOptions withMaxBuffers(int count) {
        if (count < 4) {
            throw new IllegalArgumentException("maxBuffers must be at least 4, was " + count);
        }
        return new TraceOptions(bufferSize, count, Math.min(maxThreadBuffers, count / 2), flushIntervalMillis, strict,
                runtimeEvents, stackDepth, maxStringTableBytes);
    }

    /**
     * Returns a copy with another bound on the buffers leased to single threads.
     *
     * @param count how many threads may own a buffer at once; 0 makes every thread share the striped buffers
     * @return the new options
     * @throws IllegalArgumentException if {@code count} is negative or more than half of {@code maxBuffers}
     */
    public TraceOptions withMaxThreadBuffers(int count) {
        if (count < 0 || count > maxBuffers / 2) {
            throw new IllegalArgumentException("maxThreadBuffers must be between 0 and maxBuffers/2 = "
                    + maxBuffers / 2 + ", was " + count);
        }
        return new TraceOptions(bufferSize, maxBuffers, count, flushIntervalMillis, strict, runtimeEvents,
                stackDepth, maxStringTableBytes);
    }

    /**
     * Returns a copy with another flush interval: the writer thread writes a segment
     * at least this often while full buffers are waiting.
     *
     * @param millis interval in milliseconds, from 10 to 60 000
     * @return the new options
     * @throws IllegalArgumentException if {@code millis} is out of range
     */
    public TraceOptions withFlushIntervalMillis(long millis) {
        if (millis < 10 || millis > 60_000) {
            throw new IllegalArgumentException("flushIntervalMillis must be between 10 and 60000, was " + millis);
        }
        return new TraceOptions(bufferSize, maxBuffers, maxThreadBuffers, millis, strict, runtimeEvents,
                stackDepth, maxStringTableBytes);
    }

    /**
     * Returns a copy in which misuse (a span ended twice or out of order, a scope
     * closed out of order) throws {@link IllegalStateException} at the caller
     * instead of only being recorded. Meant for tests.
     *
     * @param strict whether misuse throws
     * @return the new options
     */
    public TraceOptions withStrict(boolean strict) {
        return new TraceOptions(bufferSize, maxBuffers, maxThreadBuffers, flushIntervalMillis, strict, runtimeEvents,
                stackDepth, maxStringTableBytes);
    }

    /**
     * Returns a copy that also records JVM runtime events (GC pauses, heap after GC,
     * blocking, socket I/O, pinning, thread start and end) from JDK Flight Recorder,
     * on the threads they happened on. See {@link RuntimeEvents}.
     *
     * @param events which events and their thresholds, or null for none (the default)
     * @return the new options
     */
    public TraceOptions withRuntimeEvents(RuntimeEvents events) {
        return new TraceOptions(bufferSize, maxBuffers, maxThreadBuffers, flushIntervalMillis, strict, events,
                stackDepth, maxStringTableBytes);
    }

    /**
     * Returns a copy that records the calling thread's stack, up to {@code frames} frames,
     * with every task begin, span begin, log and job queued (where a hop to another
     * thread was scheduled): what {@code asynctrace profile --kind spans} and
     * {@code --kind sched} attribute time to, and what {@code asynctrace tasks --stacks}
     * shows. 0, the default, records none and leaves the hot path as it is.
     *
     * <p>Cost: each such event walks the stack ({@link StackWalker}, bounded to
     * {@code frames}); frames and whole stacks are interned once per recording, and a
     * per-thread cache keeps repeated call sites from looking up line numbers again, so
     * an event at a call site seen before adds a stack id of one or two bytes to the
     * trace. Frames of trace-core itself are left out: a stack starts at the caller of
     * the API. A stack deeper than {@code frames} is cut, and marked cut. Stacks of
     * JVM runtime events are set apart, in {@link RuntimeEvents#withStackDepth}.
     *
     * @param frames the most frames per stack, from 0 (off) to {@value #MAX_STACK_DEPTH}
     * @return the new options
     * @throws IllegalArgumentException if {@code frames} is out of range
     */
    public TraceOptions withStackDepth(int frames) {
        if (frames < 0 || frames > MAX_STACK_DEPTH) {
            throw new IllegalArgumentException("stackDepth must be between 0 and " + MAX_STACK_DEPTH + ", was " + frames);
        }
        return new TraceOptions(bufferSize, maxBuffers, maxThreadBuffers, flushIntervalMillis, strict, runtimeEvents,
                frames, maxStringTableBytes);
    }

    /** @return the most frames recorded with asynctrace's own events; 0: no stacks */
    public int stackDepth() {
        return stackDepth;
    }

    /**
     * Returns a copy with another string-table budget. Task types, span names, log
     * categories, attribute keys and outcomes go into the recording's string table,
     * each distinct string once; once the table's strings take {@code bytes} bytes
     * (of UTF-8), further new strings are written inline in each event instead, so a
     * recording that names spans after SQL statements stays bounded. Each output
     * writes each table string once (format v3), and a reader keeps its file's table,
     * so the budget also bounds a reader's memory.
     *
     * @param bytes from 0 (every string inline) to 16 MiB
     * @return the new options
     * @throws IllegalArgumentException if {@code bytes} is out of range
     */
    public TraceOptions withMaxStringTableBytes(int bytes) {
        if (bytes < 0 || bytes > 16 << 20) {
            throw new IllegalArgumentException("maxStringTableBytes must be between 0 and 16 MiB, was " + bytes);
        }
        return new TraceOptions(bufferSize, maxBuffers, maxThreadBuffers, flushIntervalMillis, strict, runtimeEvents,
                stackDepth, bytes);
    }

    /** @return the string table's budget in bytes */
    public int maxStringTableBytes() {
        return maxStringTableBytes;
    }

    /** @return the runtime events recorded, or null for none */
    public RuntimeEvents runtimeEvents() {
        return runtimeEvents;
    }

    /** @return size of one event buffer in bytes */
    public int bufferSize() {
        return bufferSize;
    }

    /** @return the most buffers a recording allocates */
    public int maxBuffers() {
        return maxBuffers;
    }

    /** @return the most buffers leased to single threads at once */
    public int maxThreadBuffers() {
        return maxThreadBuffers;
    }

    /** @return the writer's flush interval in milliseconds */
    public long flushIntervalMillis() {
        return flushIntervalMillis;
    }

    /** @return whether misuse throws */
    public boolean strict() {
        return strict;
    }

    /** Options are equal when every setting is: what decides whether a second consumer can join a recording. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TraceOptions t && bufferSize == t.bufferSize && maxBuffers == t.maxBuffers
                && maxThreadBuffers == t.maxThreadBuffers && flushIntervalMillis == t.flushIntervalMillis
                && strict == t.strict && java.util.Objects.equals(runtimeEvents, t.runtimeEvents)
                && stackDepth == t.stackDepth && maxStringTableBytes == t.maxStringTableBytes;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(bufferSize, maxBuffers, maxThreadBuffers, flushIntervalMillis, strict,
                runtimeEvents, stackDepth, maxStringTableBytes);
    }

    @Override
    public String toString() {
        return "TraceOptions[bufferSize=" + bufferSize + ", maxBuffers=" + maxBuffers + ", maxThreadBuffers="
                + maxThreadBuffers + ", flushIntervalMillis=" + flushIntervalMillis + ", strict=" + strict
                + ", maxStringTableBytes=" + maxStringTableBytes
                + (runtimeEvents == null ? "" : ", runtimeEvents=" + runtimeEvents)
                + (stackDepth == 0 ? "" : ", stackDepth=" + stackDepth) + "]";
    }
}
