package io.asynctrace.tool;

import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Streams a trace into the figures of {@code asynctrace summary}: latency per task
 * type (and, with {@code --group-by KEY}, per value of the task attribute KEY) and span
 * name, counts per log category, threads, misuse.
 *
 * <p>Tasks are paired and their attributes settled by a {@link TaskTracker}; a task is
 * counted when the tracker decides about it.
 *
 * <p>Memory is bounded by the tasks and spans open at any one point of the file (plus
 * ends that arrive before their begins, which the interleaving of threads' batches
 * allows), by the number of distinct types, names, categories and threads, never by
 * the file size. Not thread-safe.
 */
final class SummaryHandler implements TraceHandler {
    /** Latency per row: a task type, or a task type and a value of the group-by attribute. */
    final Map<Row, TypeStats> taskTypes = new HashMap<>();
    /** The attribute tasks are grouped by, or null. */
    final String groupBy;
    final Map<String, Latency> spanNames = new HashMap<>();
    final Map<String, long[]> logCategories = new HashMap<>();
    final Map<Long, String> threads = new LinkedHashMap<>();
    final RuntimeSummary runtime = new RuntimeSummary();
    long misuse;
    /** Task ends whose task never began in the file (its begin was dropped or truncated away). */
    long unmatchedTaskEnds;
    /** With {@code --group-by}: task attributes read too late to group their task (see {@link TaskTracker}). */
    long lateAttributes;
    /** With {@code --group-by}: the groups, at most {@value Groups#PER_TYPE} values per type (the rest in one row). */
    final Groups groups = new Groups(MAX_GROUPS);
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;

    private final TaskTracker tracker = new TaskTracker(this::decided);
    private final LongMap<Latency> openSpans = new LongMap<>(1024);
    private final LongMap<Object> earlySpanEnds = new LongMap<>();
    /** Last type and group looked up, to skip the map for runs of one row. */
    private String lastType;
    private String lastGroup;
    private TypeStats lastTypeStats;
    private String lastSpanName;
    private Latency lastSpan;
    private String lastCategory;
    private long[] lastCategoryCount;

    /** Group-by values given rows of their own over all types. */
    static final int MAX_GROUPS = 1024;

    /** Summarises the whole trace, tasks by type. */
    SummaryHandler() {
        this(null);
    }

    /** @param groupBy the task attribute whose values split each type's row, or null */
    SummaryHandler(String groupBy) {
        this.groupBy = groupBy;
    }

    /**
     * One row of the task table.
     *
     * @param type the task type
     * @param group the group-by attribute's value, or null (no grouping, or a task without it),
     *     or {@link Groups#OTHER} (the values past the cap)
     */
    record Row(String type, String group) implements Comparable<Row> {
        @Override
        public int compareTo(Row o) {
            int c = type.compareTo(o.type);
            if (c != 0) {
                return c;
            }
            return Integer.compare(rank(group), rank(o.group)) != 0 ? Integer.compare(rank(group), rank(o.group))
                    : group == null ? 0 : group.compareTo(o.group);
        }

        /** Values first, then the other values, then the tasks without one. */
        private static int rank(String group) {
            return group == null ? 2 : Groups.isOther(group) ? 1 : 0;
        }
    }

    /** Latency and outcomes of one task type. */
    static final class TypeStats {
        final Latency latency = new Latency(true);
        final Map<String, long[]> outcomes = new TreeMap<>();

        void ended(long duration, String outcome) {
            latency.record(duration);
            outcomes.computeIfAbsent(outcome, k -> new long[1])[0]++;
        }
    }

    @Override
    public void onThread(long thread, String name) {
        threads.put(thread, name);
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        tracker.segment();
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        if (!earlier) {
            see(time);
        }
        tracker.begin(time, thread, task, parent, type, earlier);
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        tracker.end(time, thread, task, outcome);
    }

    private void decided(TaskTracker.TaskState t) {
        TypeStats stats = typeStats(t.type, groupBy == null ? null : groups.group(t.type, t.attr(groupBy)));
        if (t.ended) {
            stats.ended(t.end - t.start, t.outcome);
        } else {
            stats.latency.countIncomplete();
        }
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        see(time);
        Latency stats;
        if (name == lastSpanName) {
            stats = lastSpan;
        } else {
            stats = spanNames.get(name);
            if (stats == null) {
                stats = new Latency(false);
                spanNames.put(name, stats);
            }
            lastSpanName = name;
            lastSpan = stats;
        }
        if (!earlySpanEnds.isEmpty() && earlySpanEnds.find(span)) {
            long end = earlySpanEnds.foundLong();
            earlySpanEnds.removeFound();
            stats.record(end - time);
            return;
        }
        openSpans.put(span, time, stats);
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        see(time);
        if (openSpans.find(span)) {
            long start = openSpans.foundLong();
            Latency stats = openSpans.foundObject();
            openSpans.removeFound();
            stats.record(time - start);
        } else {
            earlySpanEnds.put(span, time, null);
        }
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        see(time);
        long[] count;
        if (category == lastCategory) {
            count = lastCategoryCount;
        } else {
            count = logCategories.computeIfAbsent(category, k -> new long[1]);
            lastCategory = category;
            lastCategoryCount = count;
        }
        count[0]++;
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        see(time);
        if (!onSpan && groupBy != null) {
            tracker.attribute(time, target, key, value);
        }
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

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        see(time);
        misuse++;
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        see(time);
        runtime.add(time, kind, duration, value, detail);
    }

    /** Closes the books at the end of the file: tasks and spans still open count as incomplete. */
    void finish() {
        tracker.finish();
        openSpans.forEach((id, start, stats) -> stats.countIncomplete());
        unmatchedTaskEnds = tracker.unmatchedEnds();
        lateAttributes = tracker.lateAttributes();
    }

    /** @return the time from the first to the last event, or 0 for an empty trace */
    long duration() {
        return maxTime >= minTime ? maxTime - minTime : 0;
    }

    private TypeStats typeStats(String type, String group) {
        if (type == lastType && group == lastGroup && lastTypeStats != null) {
            return lastTypeStats;
        }
        TypeStats stats = taskTypes.computeIfAbsent(new Row(type, group), k -> new TypeStats());
        lastType = type;
        lastGroup = group;
        lastTypeStats = stats;
        return stats;
    }

    private void see(long time) {
        if (time < minTime) {
            minTime = time;
        }
        if (time > maxTime) {
            maxTime = time;
        }
    }
}
