package io.asynctrace.reader;

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
        return this == UNKNOWN ? 0 : ordinal() + 1;
    }

    static Misuse of(long code) {
        if (code == 1) {
            return SPAN_ENDED_TWICE;
        } else if (code == 2) {
            return SPAN_MISNESTED;
        } else if (code == 3) {
            return SCOPE_MISNESTED;
        }
        return UNKNOWN;
    }
}
