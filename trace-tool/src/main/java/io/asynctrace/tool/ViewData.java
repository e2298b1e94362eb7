package io.asynctrace.tool;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import io.asynctrace.reader.TraceHandler;

/**
 * What {@code asynctrace view} answers from, over one trace file, without holding the
 * trace: a {@link TimelineIndex} and the summary, built in one streaming pass on a
 * background thread while the page already serves the part indexed (the file's last
 * segments are read first, so the page shows the whole trace's time range at once);
 * indexes for other {@code --where} / {@code --group-by} choices, built on demand in one
 * pass each on a thread of their own, serving as they go; summaries for them (one or two
 * passes, see {@link TaskFilter#read}); a few of each cached; timeline windows and single
 * tasks read from the segments that hold them.
 *
 * <p>Thread-safe: any thread may ask; the index's lock orders readers and the builder.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Each cached index or summary is made once: the first request for a key starts it,
 *       requests for the same key meanwhile wait for that one (a future per key), never a
 *       second pass.</li>
 *   <li>An index evicted from the cache (past {@value #CACHED}, or past the bins' memory
 *       budget, a quarter of the heap) or left at {@link #close()} is abandoned: its pass
 *       stops at the next segment.</li>
 *   <li>A pass that fails (an unreadable file, or any exception or error, an
 *       {@link OutOfMemoryError} included) records why in its own index, which keeps
 *       what it read and is never marked complete; the first pass's failure is also the
 *       summary's ({@link #failure()}).</li>
 * </ul>
 */
final class ViewData implements AutoCloseable {
    /** The file's last segments read before the pass, for the trace's end (the last is the final one, often tiny). */
    private static final int SCOUTED_SEGMENTS = 3;
    /** Past the last two segments, no more are scouted once they would hold more than this: the page waits for it. */
    private static final long SCOUTED_BYTES = 1 << 20;
    /** Filtered indexes and summaries kept. */
    private static final int CACHED = 4;

    final Path file;
    final long fileSize;
    private final TimelineIndex index = new TimelineIndex();
    private final SummaryHandler summary = new SummaryHandler();
    private volatile String summaryJson;
    private final Map<String, CompletableFuture<Filtered>> filtered = lru(f -> f.thenAccept(ViewData::abandon));
    private final Map<String, CompletableFuture<String>> summaries = lru(s -> { });
    /** Set by {@link #close()}: indexes made later are abandoned at once. */
    private boolean closed;

    /** An index of the tasks that pass a filter's terms, with task lanes split by a group-by key. */
    record Filtered(TimelineIndex index) {
        MatchingTasks matching() {
            return index.matching();
        }
    }

    /**
     * Checks the file and starts indexing it on a daemon thread.
     *
     * @throws ToolException if the file is missing or not a trace (its header is read first)
     */
    ViewData(Path file, PrintWriter progress) {
        this.file = file;
        this.fileSize = Scan.check(file);
        Scan.header(file);
        Thread builder = new Thread(() -> build(progress), "asynctrace-view-index");
        builder.setDaemon(true);
        builder.start();
    }

    private void build(PrintWriter progress) {
        index.lock.lock();
        Scan scan = index(index, new TeeHandler(summary, index), progress);
        if (scan != null) {
            try {
                summary.finish();
                summaryJson = summaryJson(summary, scan);
            } catch (RuntimeException | Error e) {
                index.failure = "cannot summarise " + file + ": " + oneLine(e);
            }
        }
    }

    /**
     * One pass over the file into {@code into}, whose lock the caller holds: released at
     * segment boundaries, where windows may read the part indexed so far, and at the end.
     *
     * @return the pass's figures, or null if it failed ({@code into.failure} says why) or was abandoned
     */
    Scan index(TimelineIndex into, TraceHandler handler, PrintWriter progress) {
        try {
            into.scout(file, fileSize, TailSegments.find(file, fileSize, SCOUTED_SEGMENTS, SCOUTED_BYTES));
            Scan scan = Scan.read(file, handler, progress, into::reading);
            into.finish(scan.truncated() ? scan.truncatedAt() : fileSize);
            into.complete = true;
            return scan;
        } catch (TimelineIndex.Abandoned e) {
            return null; // evicted from the cache: nobody reads it
        } catch (ToolException e) {
            into.failure = e.getMessage();
            return null;
        } catch (RuntimeException | Error e) {
            // What was indexed stays readable; the page says the rest is missing, and why.
            into.failure = "indexing " + file + " failed at byte " + into.indexedBytes + ": " + oneLine(e);
            return null;
        } finally {
            while (into.lock.isHeldByCurrentThread()) {
                into.lock.unlock();
            }
        }
    }

    /** @return {@code e} as one line: its class and the first line of its message */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        String name = e instanceof ToolException ? "" : e.getClass().getSimpleName() + (m == null ? "" : ": ");
        return name + (m == null ? "" : m.lines().findFirst().orElse(""));
    }

    private static void abandon(Filtered f) {
        f.index().abandoned = true;
    }

    /** Stops every pass still running (the first one's too); requests after this may fail. */
    @Override
    public void close() {
        List<CompletableFuture<Filtered>> all;
        synchronized (filtered) {
            closed = true;
            all = new ArrayList<>(filtered.values());
            filtered.clear();
        }
        index.abandoned = true;
        for (CompletableFuture<Filtered> f : all) {
            f.thenAccept(ViewData::abandon);
        }
    }

    private String summaryJson(SummaryHandler s, Scan scan) {
        StringWriter json = new StringWriter();
        JsonWriter j = new JsonWriter(json);
        j.beginObject().field("file", file.toString()).name("summary");
        new SummaryReport(s, scan).json(j, true);
        j.endObject();
        return json.toString();
    }

    /** @return whether the first pass is over (its summary ready, the index complete) */
    boolean ready() {
        return summaryJson != null || index.failure != null;
    }

    /** @return why the first pass failed, or null */
    String failure() {
        return index.failure;
    }

    /** @return the summary for this filter and grouping, or null while the first pass runs */
    String summary(TaskFilter filter, String groupBy) {
        if (filter.isNone() && groupBy == null) {
            return summaryJson;
        }
        return cached(summaries, filter + "|" + groupBy, () -> {
            SummaryHandler s = new SummaryHandler(groupBy);
            Scan scan = filter.read(file, s, null);
            s.finish();
            return summaryJson(s, scan);
        });
    }

    /**
     * @return the index for {@code filter}'s terms and {@code groupBy}: the first pass's for
     *     none, else one built in one pass on a thread of its own (the tasks' attributes
     *     settled as they are read, see {@link TimelineIndex}), serving the part indexed so far
     */
    Filtered filtered(TaskFilter filter, String groupBy) {
        if (!filter.hasTerms() && groupBy == null) {
            return new Filtered(index);
        }
        TaskFilter terms = filter.termsOnly();
        Filtered made = cached(filtered, terms + "|" + groupBy, () -> {
            TimelineIndex own = new TimelineIndex(terms, groupBy);
            own.lock.lock(); // handed to the builder: readers wait for the scout
            Thread builder = new Thread(() -> {
                own.lock.lock();
                index(own, own, null);
            }, "asynctrace-view-index-" + (terms.hasTerms() ? "where" : "group-by"));
            builder.setDaemon(true);
            builder.start();
            while (!own.lock.hasQueuedThread(builder)) {
                Thread.onSpinWait();
            }
            own.lock.unlock(); // fair: the builder, queued first, gets it before any reader
            return new Filtered(own);
        });
        keepWithinBudget();
        return made;
    }

    /**
     * Abandons the least recently used filtered indexes while their overview bins take
     * more than a quarter of the heap (the most recent one is always kept).
     */
    private void keepWithinBudget() {
        long budget = Runtime.getRuntime().maxMemory() / 4 - index.binBytes();
        synchronized (filtered) {
            if (closed) {
                filtered.values().forEach(f -> f.thenAccept(ViewData::abandon));
                filtered.clear();
                return;
            }
            long total = 0;
            for (CompletableFuture<Filtered> f : filtered.values()) {
                total += f.isDone() && !f.isCompletedExceptionally() ? f.join().index().binBytes() : 0;
            }
            var it = filtered.values().iterator();
            while (total > budget && filtered.size() > 1 && it.hasNext()) {
                CompletableFuture<Filtered> f = it.next();
                if (f.isDone() && !f.isCompletedExceptionally()) {
                    total -= f.join().index().binBytes();
                    abandon(f.join());
                    it.remove();
                }
            }
        }
    }

    /** Writes the {@code /api/timeline} object: lanes, time range, attribute keys, indexing progress. */
    String timeline(TaskFilter filter, String groupBy) {
        Filtered f = filtered(filter, groupBy);
        StringWriter out = new StringWriter();
        JsonWriter j = new JsonWriter(out);
        f.index().lock.lock();
        try {
            TimelineIndex i = f.index();
            j.beginObject().field("file", file.toString()).field("file_bytes", fileSize)
                    .field("indexed_bytes", f.index().indexedBytes).field("complete", f.index().complete)
                    .field("summary_ready", summaryJson != null)
                    .name("error").value(i.failure != null ? i.failure : index.failure)
                    .field("first_ns", i.firstTime()).field("last_ns", i.lastTime()).field("indexed_to_ns", i.indexedTo())
                    .field("segments", i.segmentCount()).field("long_ns", i.longNanos()).field("overview_bin_ns", i.binWidth());
            j.name("lanes").beginArray();
            for (TimelineLanes.Lane l : i.lanes()) {
                j.beginObject().field("kind", l.kind()).field("name", l.name());
                if (l.kind().equals("thread")) {
                    j.field("thread", l.thread());
                }
                if (l.kind().equals("type") && i.groupBy != null) {
                    j.name("group");
                    if (l.group() == null) {
                        j.nullValue();
                    } else if (l.otherValues()) {
                        j.beginObject().endObject().field("other_values", true);
                    } else {
                        j.beginObject().field(i.groupBy, l.group()).endObject();
                    }
                }
                j.endObject();
            }
            j.endArray();
            j.name("keys").beginArray();
            for (String k : index.attributeKeys()) { // the first pass's: a copy, safe while it adds
                j.value(k);
            }
            j.endArray().field("group_by", i.groupBy);
            if (i.groupBy != null) {
                j.field("group_limit", Groups.PER_TYPE).field("groups_folded", i.groupsFolded());
            }
            if (i.readsAttributes()) {
                j.field("late_attributes", i.lateAttributes());
            }
            if (i.matching() != null) {
                j.field("decided_early", i.decidedEarly()).field("settled_early", i.settledEarly())
                        .field("dropped_items", i.droppedItems());
            }
            j.endObject();
        } finally {
            f.index().lock.unlock();
        }
        return out.toString();
    }

    /** Writes one {@code /api/window} object. */
    String window(TaskFilter filter, String groupBy, long from, long to, int bins) {
        Filtered f = filtered(filter, groupBy);
        f.index().lock.lock();
        try {
            TimelineWindow w = TimelineWindow.compute(file, f.index(), from, to, bins, f.matching());
            StringWriter out = new StringWriter();
            w.json(new JsonWriter(out));
            return out.toString();
        } finally {
            f.index().lock.unlock();
        }
    }

    /**
     * One task, read from the segments holding {@code [from, to]} when the caller knows
     * its lifetime (a click on the timeline), else from the whole file (two passes).
     *
     * @return the task, or null if the file has no such task
     */
    TaskReport task(long id, long from, long to) {
        if (from < 0 || to < from) {
            List<TaskReport> found = Tasks.byId(file, id, null).tasks();
            return found.isEmpty() ? null : found.get(0);
        }
        long[][] found;
        long[][] ranges;
        io.asynctrace.reader.TraceReader.Tables tables;
        index.lock.lock();
        try {
            found = index.segmentsMeeting(from, to);
            ranges = new long[found.length - 1][];
            System.arraycopy(found, 1, ranges, 0, ranges.length);
            tables = index.tablesBefore(ranges.length == 0 ? 0 : ranges[ranges.length - 1][1]);
        } finally {
            index.lock.unlock();
        }
        TaskDetails details = new TaskDetails(List.of(id), RuntimeWindows.of(new long[] {from}, new long[] {to}, 1));
        Scan.readSegments(file, ranges, tables, details);
        TaskDetails.TaskRecord t = details.record(id);
        if (t.start == Long.MIN_VALUE && !t.hasEnd) {
            return null;
        }
        return new TaskReport(t, details);
    }

    private static <V> Map<String, V> lru(java.util.function.Consumer<V> evicted) {
        // Only touched under synchronized (the map).
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                if (size() > CACHED) {
                    evicted.accept(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * @return the value cached for {@code key}, computed by the first caller asking for it
     *     (the others wait for that one); a failed computation is not cached, and throws for
     *     each caller that waited on it
     */
    private static <V> V cached(Map<String, CompletableFuture<V>> cache, String key, Supplier<V> compute) {
        CompletableFuture<V> future;
        boolean mine = false;
        synchronized (cache) {
            future = cache.get(key);
            if (future == null) {
                future = new CompletableFuture<>();
                cache.put(key, future);
                mine = true;
            }
        }
        if (mine) {
            try {
                future.complete(compute.get());
            } catch (RuntimeException | Error e) {
                synchronized (cache) {
                    cache.remove(key, future);
                }
                future.completeExceptionally(e);
                throw e;
            }
        }
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** @return the filter of a request's {@code where} parameters (one term each) and {@code from}/{@code to} */
    static TaskFilter filter(List<String> where, String from, String to) {
        List<String> terms = new ArrayList<>();
        for (String w : where == null ? List.<String>of() : where) {
            for (String t : w.trim().split("\\s+")) {
                if (!t.isEmpty()) {
                    terms.add(t);
                }
            }
        }
        return TaskFilter.parse(terms, from, to);
    }
}
