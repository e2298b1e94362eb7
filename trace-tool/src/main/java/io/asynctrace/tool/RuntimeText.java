package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TaskBreakdown;
import java.util.Locale;

/**
 * Names and one-line descriptions of JVM runtime events ({@link RuntimeKind}) as the
 * tool prints them, and the groups the {@code tasks} breakdown sums them into.
 */
final class RuntimeText {
    private RuntimeText() {
    }

    /** @return the kind's name in JSON output: the enum name in lower case, such as {@code thread_park} */
    static String name(RuntimeKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** @return whether the kind is about the whole JVM (GC, heap, loss reports) rather than one thread */
    static boolean jvmWide(RuntimeKind kind) {
        return kind == RuntimeKind.GC_PAUSE || kind == RuntimeKind.HEAP_AFTER_GC || kind == RuntimeKind.DATA_LOSS
                || kind == RuntimeKind.UNAVAILABLE;
    }

    /** @return whether the kind counts as blocked time: park, monitor enter, sleep, virtual-thread pinning */
    static boolean blocking(RuntimeKind kind) {
        return TaskBreakdown.blocking(kind);
    }

    /** @return whether the kind counts as socket I/O */
    static boolean socket(RuntimeKind kind) {
        return TaskBreakdown.socket(kind);
    }

    /** @return whether {@code tasks} attributes the kind to tasks (blocking, socket I/O, GC pauses) */
    static boolean attributed(RuntimeKind kind) {
        return TaskBreakdown.attributed(kind);
    }

    /**
     * Describes one event for an event log, such as {@code park 12.3ms on java.util.concurrent.locks.ReentrantLock},
     * {@code socket read 2.10ms 1024 B 127.0.0.1:5000} or {@code GC pause 3.40ms G1 Young}.
     */
    static String describe(RuntimeKind kind, long duration, long value, String detail) {
        String d = Durations.human(duration);
        String on = detail == null || detail.isEmpty() ? "" : " on " + detail;
        String tail = detail == null || detail.isEmpty() ? "" : " " + detail;
        switch (kind) {
            case GC_PAUSE: return "GC pause " + d + tail;
            case HEAP_AFTER_GC: return "heap after GC " + bytes(value);
            case THREAD_PARK: return "park " + d + on;
            case MONITOR_ENTER: return "monitor enter " + d + on;
            case SOCKET_READ: return "socket read " + d + " " + value + " B" + tail;
            case SOCKET_WRITE: return "socket write " + d + " " + value + " B" + tail;
            case THREAD_SLEEP: return "sleep " + d;
            case VIRTUAL_THREAD_PINNED: return "virtual thread pinned " + d;
            case THREAD_START: return "thread start" + tail;
            case THREAD_END: return "thread end";
            case DATA_LOSS: return "runtime data loss " + value + tail;
            case UNAVAILABLE: return "runtime events unavailable:" + tail;
            default: return "runtime event (unknown kind) " + d;
        }
    }

    /** @return a byte count for people, such as {@code 48.0 MiB} */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }
}
