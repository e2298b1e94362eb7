package io.asynctrace.reader;

/**
 * One JVM runtime event from a trace (see {@link RuntimeKind} for what the fields mean per kind).
 *
 * @param time when it began, ns since the trace base
 * @param thread the thread it happened on (0: the JVM itself, for GC and loss reports)
 * @param kind what happened
 * @param duration how long it lasted, ns (0 for instants)
 * @param value the kind's number (bytes, GC id), or 0
 * @param detail the kind's text (collector, class, host:port), or ""
 * @param stack the waiting thread's stack as JDK Flight Recorder took it, or null
 */
public record RuntimeInfo(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                          CallStack stack) {
    /**
     * An event without a stack.
     *
     * @param time when it began, ns since the trace base
     * @param thread the thread it happened on
     * @param kind what happened
     * @param duration how long it lasted, ns
     * @param value the kind's number, or 0
     * @param detail the kind's text, or ""
     */
    public RuntimeInfo(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        this(time, thread, kind, duration, value, detail, null);
    }

    /** @return when it ended */
    public long end() {
        return time + duration;
    }
}
