package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Finds task instances in a trace file with two streaming passes: choose, then collect. */
final class Tasks {
    private Tasks() {
    }

    /** The tasks found, slowest first, and the figures of the last pass. */
    record Result(List<TaskReport> tasks, Scan scan) {
    }

    /**
     * @param file the trace
     * @param type the task type, or null for all
     * @param minNanos shortest duration (inclusive)
     * @param maxNanos longest duration (exclusive), or -1
     * @param limit the number of slowest tasks to return, 0 for all
     * @param includeIncomplete whether tasks that never ended are included
     * @param filter the {@code --where} terms and window the tasks must pass
     * @param progress where a progress bar goes, or null
     * @return the tasks, slowest first
     */
    static Result find(Path file, String type, long minNanos, long maxNanos, int limit, boolean includeIncomplete,
            TaskFilter filter, PrintWriter progress) {
        return find(file, type, minNanos, maxNanos, limit, includeIncomplete, filter, progress, UnaryOperator.identity());
    }

    /** As above, each pass reading through the handler {@code around} makes of its own (the view stops one so). */
    static Result find(Path file, String type, long minNanos, long maxNanos, int limit, boolean includeIncomplete,
            TaskFilter filter, PrintWriter progress, UnaryOperator<TraceHandler> around) {
        TaskSelection selection = new TaskSelection(type, minNanos, maxNanos, limit, includeIncomplete, filter);
        Scan.read(file, around.apply(selection), progress);
        return collect(file, selection.finish(), progress, null, around);
    }

    /** @return the task with this id, if the trace has it (an empty list otherwise) */
    static Result byId(Path file, long id, PrintWriter progress) {
        return byId(file, id, progress, UnaryOperator.identity());
    }

    /** As above, each pass reading through the handler {@code around} makes of its own. */
    static Result byId(Path file, long id, PrintWriter progress, UnaryOperator<TraceHandler> around) {
        TaskSelection selection = new TaskSelection(null, 0, -1, 0, true, TaskFilter.NONE).only(id);
        Scan.read(file, around.apply(selection), progress);
        List<TaskSelection.Chosen> chosen = selection.finish();
        RuntimeWindows windows = null;
        if (chosen.isEmpty()) {
            // Its begin is not in the file: still list what is known (no window, so no runtime events).
            chosen = List.of(new TaskSelection.Chosen(id, 0, false, 0));
            windows = RuntimeWindows.NONE;
        }
        Result r = collect(file, chosen, progress, windows, around);
        List<TaskReport> found = new ArrayList<>();
        for (TaskReport t : r.tasks()) {
            if (t.t.start != Long.MIN_VALUE || t.t.hasEnd) {
                found.add(t);
            }
        }
        return new Result(found, r.scan());
    }

    /**
     * Pass two, keeping the runtime events that meet the chosen tasks' windows.
     *
     * @param windows the windows to keep runtime events in, or null for the chosen tasks' own
     */
    private static Result collect(Path file, List<TaskSelection.Chosen> chosen, PrintWriter progress,
            RuntimeWindows windows, UnaryOperator<TraceHandler> around) {
        List<Long> ids = new ArrayList<>(chosen.size());
        long[] from = new long[chosen.size()];
        long[] to = new long[chosen.size()];
        for (TaskSelection.Chosen c : chosen) {
            from[ids.size()] = c.start();
            to[ids.size()] = c.start() + c.duration();
            ids.add(c.id());
        }
        TaskDetails details = new TaskDetails(ids, windows != null ? windows : RuntimeWindows.of(from, to, ids.size()));
        Scan scan = Scan.read(file, around.apply(details), progress);
        List<TaskReport> reports = new ArrayList<>(ids.size());
        for (long id : ids) {
            reports.add(new TaskReport(details.record(id), details));
        }
        // Pass one ranked them; durations agree, but keep the order stable if they tie.
        reports.sort((a, b) -> a.duration != b.duration ? Long.compare(b.duration, a.duration) : Long.compare(a.t.id, b.t.id));
        return new Result(reports, scan);
    }
}
