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
 * type and span name, counts per log category, threads, misuse.
 *
 * <p>Memory is bounded by the tasks and spans open at any one point of the file (plus
 * ends that arrive before their begins, which the interleaving of threads' batches
 * allows), by the number of distinct types, names, categories and threads, never by
 * the file size. Not thread-safe.
 */
final class SummaryHandler implements TraceHandler {
    final Map<String, TypeStats> taskTypes = new HashMap<>();
    final Map<String, Latency> spanNames = new HashMap<>();
    final Map<String, long[]> logCategories = new HashMap<>();
    final Map<Long, String> threads = new LinkedHashMap<>();
    final RuntimeSummary runtime = new RuntimeSummary();
    long misuse;
    /** Task ends whose task never began in the file (its begin was dropped or truncated away). */
    long unmatchedTaskEnds;
    long minTime = Long.MAX_VALUE;
    long maxTime = Long.MIN_VALUE;

    private final LongMap<TypeStats> openTasks = new LongMap<>(1024);
    private final LongMap<String> earlyTaskEnds = new LongMap<>();
    private final LongMap<Latency> openSpans = new LongMap<>(1024);
    private final LongMap<Object> earlySpanEnds = new LongMap<>();
    /** Last type looked up, to skip the map for runs of one type. */
    private String lastType;
    private TypeStats lastTypeStats;
    private String lastSpanName;
    private Latency lastSpan;
    private String lastCategory;
    private long[] lastCategoryCount;

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
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        if (!earlier) {
            see(time);
        }
        TypeStats stats = typeStats(type);
        if (!earlyTaskEnds.isEmpty() && earlyTaskEnds.find(task)) {
            long end = earlyTaskEnds.foundLong();
            String outcome = earlyTaskEnds.foundObject();
            earlyTaskEnds.removeFound();
            stats.ended(end - time, outcome);
            return;
        }
        if (!openTasks.find(task)) {
            openTasks.put(task, time, stats);
        }
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        if (openTasks.find(task)) {
            long start = openTasks.foundLong();
            TypeStats stats = openTasks.foundObject();
            openTasks.removeFound();
            stats.ended(time - start, outcome);
        } else {
            earlyTaskEnds.put(task, time, outcome);
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
        openTasks.forEach((id, start, stats) -> stats.latency.countIncomplete());
        openSpans.forEach((id, start, stats) -> stats.countIncomplete());
        unmatchedTaskEnds = earlyTaskEnds.size();
    }

    /** @return the time from the first to the last event, or 0 for an empty trace */
    long duration() {
        return maxTime >= minTime ? maxTime - minTime : 0;
    }

    private TypeStats typeStats(String type) {
        if (type == lastType) {
            return lastTypeStats;
        }
        TypeStats stats = taskTypes.computeIfAbsent(type, k -> new TypeStats());
        lastType = type;
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
