package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Pass one of {@code tasks}: streams the file once to find which task instances to
 * show, without keeping their events. Keeps the {@code limit} slowest matching tasks
 * in a heap (all matching tasks when {@code limit} is 0), plus one entry per task
 * open at the current point of the file.
 *
 * <p>A task that never ends has an unknown latency; it matches only when
 * {@code includeIncomplete}, with its duration counted to the last event of the trace.
 */
final class TaskSelection implements TraceHandler {
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
    private final LongMap<String> open = new LongMap<>(1024);
    private final LongMap<Object> earlyEnds = new LongMap<>();
    private final PriorityQueue<Chosen> heap;
    private final List<Chosen> all = new ArrayList<>();
    private long lastTime = Long.MIN_VALUE;
    /** Only this task id matches, or 0 for any. */
    private long onlyId;

    /**
     * @param type the task type to match, or null for any
     * @param minNanos shortest duration to match (inclusive)
     * @param maxNanos longest duration to match (exclusive), or -1 for no bound
     * @param limit how many of the slowest matching tasks to keep; 0 keeps all
     * @param includeIncomplete whether tasks that never end match
     */
    TaskSelection(String type, long minNanos, long maxNanos, int limit, boolean includeIncomplete) {
        this.type = type;
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.limit = limit;
        this.includeIncomplete = includeIncomplete;
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
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        see(time);
        // Every task is tracked while open, whatever its type, so that an end arriving
        // before its begin can be told from the end of a task of another type.
        if (!earlyEnds.isEmpty() && earlyEnds.find(task)) {
            long end = earlyEnds.foundLong();
            earlyEnds.removeFound();
            if (matches(task, type)) {
                offer(task, time, end - time, true);
            }
        } else if (!open.find(task)) {
            open.put(task, time, type);
        }
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        if (open.find(task)) {
            long start = open.foundLong();
            String t = open.foundObject();
            open.removeFound();
            if (matches(task, t)) {
                offer(task, start, time - start, true);
            }
        } else {
            earlyEnds.put(task, time, null);
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
    public void onJobStarted(long time, long thread, long job) {
        see(time);
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        see(time);
    }

    /** @return the chosen tasks, slowest first */
    List<Chosen> finish() {
        if (includeIncomplete) {
            long end = lastTime;
            open.forEach((id, start, t) -> {
                if (matches(id, t)) {
                    offer(id, start, Math.max(0, end - start), false);
                }
            });
        }
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

    private void see(long time) {
        if (time > lastTime) {
            lastTime = time;
        }
    }
}
