package io.asynctrace.reader;

import io.asynctrace.internal.format.Wire;

/** The kinds of API misuse a recording reports instead of throwing. */
public enum Misuse {
    /** A span's {@code end()} was called more than once. */
    SPAN_ENDED_TWICE,
    /** A span was ended on its own thread while a span begun after it there was still open. */
    SPAN_MISNESTED,
    /** A task scope was closed twice, on another thread, or while a later scope was open. */
    SCOPE_MISNESTED,
    /** A kind written by a newer recorder. */
    UNKNOWN;

    /** @return the kind's code in the trace format (0 for {@link #UNKNOWN}) */
    int code() {
        return switch (this) {
            case SPAN_ENDED_TWICE -> Wire.MISUSE_SPAN_ENDED_TWICE;
            case SPAN_MISNESTED -> Wire.MISUSE_SPAN_MISNESTED;
            case SCOPE_MISNESTED -> Wire.MISUSE_SCOPE_MISNESTED;
            case UNKNOWN -> 0;
        };
    }

    static Misuse of(long code) {
        for (Misuse m : values()) {
            if (m != UNKNOWN && m.code() == code) {
                return m;
            }
        }
        return UNKNOWN;
    }
}
