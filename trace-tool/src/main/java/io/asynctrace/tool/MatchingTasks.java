package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The ids of the tasks that pass a {@link TaskFilter}, found in one streaming pass
 * through a {@link TaskTracker}: the first pass of every command run with
 * {@code --where}. Memory is the tracker's plus about one bit per task id (an
 * {@link IdSet}).
 */
final class MatchingTasks extends TrackedTasks {
    private final TaskFilter filter;
    private final IdSet ids;

    private MatchingTasks(TaskFilter filter) {
        this.filter = filter;
        this.ids = new IdSet();
    }

    private MatchingTasks(IdSet ids) {
        this.filter = TaskFilter.NONE;
        this.ids = ids;
    }

    /** @return the tasks of {@code ids} (found otherwise, e.g. by the view's index), as a set to filter by */
    static MatchingTasks of(IdSet ids) {
        return new MatchingTasks(ids);
    }

    /**
     * @param file the trace
     * @param filter what the tasks must pass
     * @param progress where a progress bar goes, or null
     * @return the matching tasks
     */
    static MatchingTasks find(Path file, TaskFilter filter, PrintWriter progress) {
        return find(file, filter, progress, java.util.function.UnaryOperator.identity());
    }

    /** As above, the pass's handler passed through {@code around}. */
    static MatchingTasks find(Path file, TaskFilter filter, PrintWriter progress,
            java.util.function.UnaryOperator<TraceHandler> around) {
        MatchingTasks m = new MatchingTasks(filter);
        Scan.read(file, around.apply(m), progress);
        m.tracker.finish();
        return m;
    }

    /** @return the tasks that pass so far, copied: for a reader while the pass that finds them goes on */
    MatchingTasks copy() {
        return new MatchingTasks(ids.copy());
    }

    /** @return whether task {@code id} passes the filter */
    boolean contains(long id) {
        return ids.contains(id);
    }

    /** @return how many tasks pass */
    long size() {
        return ids.size();
    }

    @Override
    void decided(TaskTracker.TaskState t) {
        if (filter.accepts(t.attrs, t.start, endOf(t))) {
            ids.add(t.id);
        }
    }

    @Override
    boolean readsAttributes() {
        return true;
    }
}
