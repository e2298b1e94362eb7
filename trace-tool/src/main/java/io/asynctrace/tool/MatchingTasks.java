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
final class MatchingTasks implements TraceHandler {
    private final TaskFilter filter;
    private final IdSet ids;
    private final TaskTracker tracker = new TaskTracker(this::decided);
    private long lastTime = Long.MIN_VALUE;

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

    private void decided(TaskTracker.TaskState t) {
        if (filter.accepts(t.attrs, t.start, t.ended ? t.end : Math.max(t.start, lastTime))) {
            ids.add(t.id);
        }
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        tracker.segment();
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        see(time);
        tracker.begin(time, thread, task, parent, type, earlier);
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        tracker.end(time, thread, task, outcome);
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        see(time);
        if (!onSpan) {
            tracker.attribute(time, target, key, value);
        }
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        see(time);
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        see(time);
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        see(time);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        see(time);
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        see(time);
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        see(time);
    }

    private void see(long time) {
        if (time > lastTime) {
            lastTime = time;
        }
    }
}
