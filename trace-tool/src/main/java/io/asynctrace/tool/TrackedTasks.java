package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;

/**
 * A pass that pairs tasks through a {@link TaskTracker} and keeps the trace's last event
 * time: the one home of that wiring for the passes that choose tasks without keeping their
 * events ({@link MatchingTasks}, {@link TaskSelection}). A subclass says what a task decided
 * means ({@link #decided}) and whether task attributes matter ({@link #readsAttributes}).
 * Not thread-safe.
 */
abstract class TrackedTasks implements TraceHandler {
    /** Pairs begins and ends and settles each task's attributes before {@link #decided}. */
    final TaskTracker tracker = new TaskTracker(this::decided);
    private long lastTime = Long.MIN_VALUE;

    /** A task's attributes are settled (its begin was read; {@code t.ended} false for one that never ended). */
    abstract void decided(TaskTracker.TaskState t);

    /** @return whether task attributes are read (a filter with terms needs them) */
    abstract boolean readsAttributes();

    /** @return when {@code t} ended, or, for a task that never did, the last event read so far */
    final long endOf(TaskTracker.TaskState t) {
        return t.ended ? t.end : Math.max(t.start, lastTime);
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
        if (!onSpan && readsAttributes()) {
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
