package io.asynctrace.tool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Pass one of {@code tasks}: streams the file once to find which task instances to
 * show, without keeping their events. Keeps the {@code limit} slowest matching tasks
 * in a heap (all matching tasks when {@code limit} is 0), plus what its
 * {@link TaskTracker} keeps (about one entry per task open at the current point of the file).
 *
 * <p>A task that never ends has an unknown latency; it matches only when
 * {@code includeIncomplete}, with its duration counted to the last event of the trace.
 */
final class TaskSelection extends TrackedTasks {
    /** One chosen task: id, duration (ns), whether it ended, when it began. */
    record Chosen(long id, long duration, boolean complete, long start) {
    }

    /** Slowest first; ties by id for a stable order. */
    static final Comparator<Chosen> SLOWEST_FIRST =
            Comparator.comparingLong(Chosen::duration).reversed().thenComparingLong(Chosen::id);

    private final String type;
    private final long minNanos;
    private final long maxNanos;
    private final int limit;
    private final boolean includeIncomplete;
    private final TaskFilter filter;
    private final PriorityQueue<Chosen> heap;
    private final List<Chosen> all = new ArrayList<>();
    /** Only this task id matches, or 0 for any. */
    private long onlyId;

    /**
     * @param type the task type to match, or null for any
     * @param minNanos shortest duration to match (inclusive)
     * @param maxNanos longest duration to match (exclusive), or -1 for no bound
     * @param limit how many of the slowest matching tasks to keep; 0 keeps all
     * @param includeIncomplete whether tasks that never end match
     * @param filter the {@code --where} terms and the window the tasks must pass
     */
    TaskSelection(String type, long minNanos, long maxNanos, int limit, boolean includeIncomplete, TaskFilter filter) {
        this.type = type;
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.limit = limit;
        this.includeIncomplete = includeIncomplete;
        this.filter = filter;
        this.heap = limit > 0 ? new PriorityQueue<>(limit + 1, SLOWEST_FIRST.reversed()) : null;
    }

    /**
     * Narrows the selection to one task.
     *
     * @param id the only task id that matches
     * @return this
     */
    TaskSelection only(long id) {
        this.onlyId = id;
        return this;
    }

    @Override
    boolean readsAttributes() {
        return filter.hasTerms();
    }

    @Override
    void decided(TaskTracker.TaskState t) {
        if (!matches(t.id, t.type) || (!t.ended && !includeIncomplete)) {
            return;
        }
        long end = endOf(t);
        if (filter.accepts(t.attrs, t.start, end)) {
            offer(t.id, t.start, end - t.start, t.ended);
        }
    }

    /** @return the chosen tasks, slowest first */
    List<Chosen> finish() {
        tracker.finish();
        List<Chosen> result = new ArrayList<>(heap != null ? heap : all);
        result.sort(SLOWEST_FIRST);
        return result;
    }

    private boolean matches(long id, String t) {
        return (type == null || type.equals(t)) && (onlyId == 0 || onlyId == id);
    }

    private void offer(long id, long start, long duration, boolean complete) {
        if (duration < minNanos || (maxNanos >= 0 && duration >= maxNanos)) {
            return;
        }
        Chosen c = new Chosen(id, duration, complete, start);
        if (heap == null) {
            all.add(c);
            return;
        }
        if (heap.size() < limit) {
            heap.add(c);
        } else if (SLOWEST_FIRST.compare(c, heap.peek()) < 0) {
            heap.poll();
            heap.add(c);
        }
    }
}
