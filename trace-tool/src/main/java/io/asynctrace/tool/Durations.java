package io.asynctrace.tool;

import java.util.Locale;

/** Formats nanosecond times and durations for people. */
final class Durations {
    private Durations() {
    }

    /** @return {@code nanos} with a unit chosen to keep three to four significant digits, such as {@code 12.3ms} */
    static String human(long nanos) {
        if (nanos < 0) {
            return "-";
        }
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return format(nanos / 1e3, "µs");
        }
        if (nanos < 1_000_000_000) {
            return format(nanos / 1e6, "ms");
        }
        return format(nanos / 1e9, "s");
    }

    /** @return a trace time as milliseconds with microsecond precision, such as {@code 1234.567} */
    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static String format(double v, String unit) {
        String pattern = v < 10 ? "%.2f%s" : v < 100 ? "%.1f%s" : "%.0f%s";
        return String.format(Locale.ROOT, pattern, v, unit);
    }
}
