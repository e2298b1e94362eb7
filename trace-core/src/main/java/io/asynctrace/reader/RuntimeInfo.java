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
 */
public record RuntimeInfo(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
    /** @return when it ended */
    public long end() {
        return time + duration;
    }
}
