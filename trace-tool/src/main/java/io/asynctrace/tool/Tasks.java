package io.asynctrace.tool;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
     * @param progress where a progress bar goes, or null
     * @return the tasks, slowest first
     */
    static Result find(Path file, String type, long minNanos, long maxNanos, int limit, boolean includeIncomplete,
            PrintWriter progress) {
        TaskSelection selection = new TaskSelection(type, minNanos, maxNanos, limit, includeIncomplete);
        Scan.read(file, selection, progress);
        List<Long> ids = new ArrayList<>();
        for (TaskSelection.Chosen c : selection.finish()) {
            ids.add(c.id());
        }
        return collect(file, ids, progress);
    }

    /** @return the task with this id, if the trace has it (an empty list otherwise) */
    static Result byId(Path file, long id, PrintWriter progress) {
        Result r = collect(file, List.of(id), progress);
        List<TaskReport> found = new ArrayList<>();
        for (TaskReport t : r.tasks()) {
            if (t.t.start != Long.MIN_VALUE || t.t.hasEnd) {
                found.add(t);
            }
        }
        return new Result(found, r.scan());
    }

    private static Result collect(Path file, List<Long> ids, PrintWriter progress) {
        TaskDetails details = new TaskDetails(ids);
        Scan scan = Scan.read(file, details, progress);
        List<TaskReport> reports = new ArrayList<>(ids.size());
        for (long id : ids) {
            reports.add(new TaskReport(details.record(id), details));
        }
        // Pass one ranked them; durations agree, but keep the order stable if they tie.
        reports.sort((a, b) -> a.duration != b.duration ? Long.compare(b.duration, a.duration) : Long.compare(a.t.id, b.t.id));
        return new Result(reports, scan);
    }
}
