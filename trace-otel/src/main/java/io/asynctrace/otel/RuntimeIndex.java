package io.asynctrace.otel;

import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TaskBreakdown;
import io.asynctrace.reader.TraceHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pass one of a file export: keeps the JVM runtime events that the task breakdown
 * attributes (blocking, socket I/O, GC pauses; see {@link TaskBreakdown}), sorted by time,
 * so that pass two can attribute them to each task as it ends — they are written up to
 * a second after the events they overlap. Memory: those events only (none in a trace
 * recorded without runtime events), about 60 bytes each: not bounded by the file's
 * streaming, but by how many the recording's thresholds let through (at most one per
 * threshold, 10 ms by default, per thread); docs/OTEL.md says so. Not thread-safe.
 */
final class RuntimeIndex implements TraceHandler {
    private final List<RuntimeInfo> events = new ArrayList<>();
    private long longest;
    private boolean sorted = true;

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        if (!TaskBreakdown.attributed(kind)) {
            return;
        }
        if (!events.isEmpty() && time < events.get(events.size() - 1).time()) {
            sorted = false;
        }
        events.add(new RuntimeInfo(time, thread, kind, duration, value, detail));
        longest = Math.max(longest, duration);
    }

    /** @return the events that meet {@code [from, to]}, in time order */
    List<RuntimeInfo> overlapping(long from, long to) {
        if (events.isEmpty()) {
            return List.of();
        }
        if (!sorted) {
            events.sort(Comparator.comparingLong(RuntimeInfo::time));
            sorted = true;
        }
        // the first event that begins at or after from - longest: no earlier one can reach from
        long earliest = from - longest;
        int lo = 0;
        int hi = events.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (events.get(mid).time() < earliest) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<RuntimeInfo> found = new ArrayList<>();
        for (int i = lo; i < events.size() && events.get(i).time() <= to; i++) {
            RuntimeInfo e = events.get(i);
            if (e.end() >= from) {
                found.add(e);
            }
        }
        return found;
    }
}
