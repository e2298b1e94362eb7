package io.asynctrace.tool;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.asynctrace.reader.TraceHandler;

/**
 * What {@code asynctrace view} answers from, over one trace file, without holding the
 * trace: a {@link TimelineIndex} and the summary, built in one streaming pass on a
 * background thread while the page already serves the part indexed (the file's last
 * segments are read first, so the page shows the whole trace's time range at once);
 * indexes for other {@code --where} / {@code --group-by} choices, built on demand in one
 * pass each, serving as they go; summaries for them (one or two passes, see
 * {@link TaskFilter#read}); a few of each cached; timeline windows and single tasks read
 * from the segments that hold them. The passes for other choices run one at a time, on a
 * thread of their own ({@link Passes}): a request never waits for one.
 *
 * <p>Thread-safe: any thread may ask; the index's lock orders readers and the builder.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Each cached index or summary is made once: the first request for a key queues its
 *       pass, requests for the same key meanwhile get the same one (never a second pass):
 *       the index as far as it goes, or no summary yet ({@link #summaryPending}).</li>
 *   <li>An index or summary evicted from the cache (past {@value #CACHED} of its kind, or,
 *       for indexes, past the memory budget: a quarter of the heap, less the first index's
 *       size) or left at {@link #close()} is abandoned: its pass never starts, or stops at the
 *       next segment.</li>
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
    /** The passes for other filters and groupings: one at a time. */
    private final Passes passes = new Passes("asynctrace-view-pass");
    private final Map<String, Filtered> filtered = lru(f -> passes.abandon(f.pass()));
    private final Map<String, SummaryPass> summaries = lru(this::dropped);
    /** The summaries made, kept apart from their passes: one evicted while it ran still gives its answer. */
    private final Map<String, String> summaryResults = lru(json -> { });
    /**
     * A running summary pass dropped from the cache goes on if it was asked for within this
     * long (a page still polls it: stopping it would leave it unanswered for good, review 56 D1).
     */
    volatile long keepRunningIfAskedNanos = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    /** Set by {@link #close()}: indexes made later are abandoned at once. */
    private boolean closed;
    /** Tests' hook: told a pass's description as it starts reading (it may block, as a long pass would). */
    volatile java.util.function.Consumer<String> passStarting = what -> { };
    /** Tests' hook: run as a window starts reading the file. */
    volatile Runnable windowReading = () -> { };

    /**
     * An index of the tasks that pass a filter's terms, with task lanes split by a group-by key.
     *
     * @param pass the pass that builds it, or null for the first index's
     */
    record Filtered(TimelineIndex index, Passes.Pass pass) {
        MatchingTasks matching() {
            return index.matching();
        }
    }

    /** Builds a filtered or grouped index. */
    private final class IndexPass extends Passes.Pass {
        private final TimelineIndex own;

        IndexPass(TimelineIndex own, String what) {
            super(what);
            this.own = own;
        }

        @Override
        void run() {
            passStarting.accept(what);
            own.lock.lock();
            Scan scan = index(own, new TeeHandler(own, new TraceHandler() {
                @Override
                public void onSegment(long sequence, long offset, long dropped) {
                    keepWithinBudget();
                }
            }), null);
            if (scan == null && own.failure == null) {
                throw new Passes.Abandoned(); // stopped: counted as such
            }
        }

        @Override
        void onAbandon() {
            own.abandoned = true;
        }
    }

    /** Reads the histograms of a filter and grouping. */
    private final class SummaryPass extends Passes.Pass {
        private final TaskFilter filter;
        private final String groupBy;
        volatile String json;
        volatile String failure;

        SummaryPass(TaskFilter filter, String groupBy, String what) {
            super(what);
            this.filter = filter;
            this.groupBy = groupBy;
        }

        @Override
        void run() {
            passStarting.accept(what);
            try {
                SummaryHandler s = new SummaryHandler(groupBy);
                Scan scan = filter.read(file, s, null, this::stopping);
                s.finish();
                json = summaryJson(s, scan);
                synchronized (summaries) {
                    summaryResults.put(key(filter, groupBy), json);
                }
            } catch (ToolException e) {
                failure = e.getMessage();
            } catch (Passes.Abandoned e) {
                throw e;
            } catch (RuntimeException | Error e) {
                failure = "summarising " + file + " failed: " + oneLine(e);
            }
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
        index.lock.lock(); // handed to the builder: readers wait for the scout
        Thread builder = new Thread(() -> build(progress), "asynctrace-view-index");
        builder.setDaemon(true);
        builder.start();
        while (!index.lock.hasQueuedThread(builder)) {
            Thread.onSpinWait();
        }
        index.lock.unlock(); // fair: the builder, queued first, gets it before any reader
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
        } catch (Passes.Abandoned e) {
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

    /** Stops every pass still running or queued (the first one's too); requests after this may fail. */
    @Override
    public void close() {
        synchronized (filtered) {
            closed = true;
            // Finished ones too (Passes.close() stops only the queued and the running one).
            filtered.values().forEach(f -> passes.abandon(f.pass()));
            filtered.clear();
        }
        synchronized (summaries) {
            summaries.clear();
            summaryResults.clear();
        }
        index.abandoned = true;
        passes.close();
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

    /** @return the passes of other filters and groupings (tests) */
    Passes passes() {
        return passes;
    }

    /** @return why the first pass failed, or null */
    String failure() {
        return index.failure;
    }

    /**
     * @return the summary for this filter and grouping, or null while its pass is queued or
     *     runs (or the first pass runs): {@link #summaryPending} says which
     * @throws ToolException if its pass failed (asking again starts another)
     */
    String summary(TaskFilter filter, String groupBy) {
        if (filter.isNone() && groupBy == null) {
            return summaryJson;
        }
        synchronized (summaries) {
            String done = summaryResults.get(key(filter, groupBy));
            if (done != null) {
                return done;
            }
        }
        SummaryPass p = summaryPass(filter, groupBy, true);
        if (p.failure != null) {
            synchronized (summaries) {
                summaries.remove(key(filter, groupBy), p);
            }
            throw new ToolException(p.failure);
        }
        return p.json;
    }

    /**
     * A summary pass left the cache (past {@value #CACHED}): abandoned, unless it runs and was
     * asked for lately (it then ends and leaves its answer in {@link #summaryResults}).
     */
    private void dropped(SummaryPass p) {
        if (!p.started() || p.ended() || p.sinceAsked() > keepRunningIfAskedNanos) {
            passes.abandon(p);
        }
    }

    /** @return why {@link #summary} has nothing yet, one line for a 503 */
    String summaryPending(TaskFilter filter, String groupBy) {
        if (filter.isNone() && groupBy == null) {
            return "still indexing " + file;
        }
        return pending(summaryPass(filter, groupBy, false));
    }

    private String pending(Passes.Pass p) {
        if (p.started()) {
            return "reading " + file + " for " + p.what;
        }
        int ahead = passes.ahead(p);
        return "queued: " + p.what + (ahead == 0 ? " (next)" : " (" + ahead + (ahead == 1 ? " pass" : " passes")
                + " to go first, one at a time)");
    }

    /** @param asked whether it is asked for (it then goes before those asked for earlier), not just looked at */
    private SummaryPass summaryPass(TaskFilter filter, String groupBy, boolean asked) {
        return cached(summaries, key(filter, groupBy), () -> new SummaryPass(filter, groupBy, "the histograms"
                + describe(filter, groupBy)), p -> p, p -> { }, asked);
    }

    /**
     * The one home of the caches' make-once rule: the entry for {@code key}, made by the first
     * caller (and its pass queued, after {@code made} prepared it), the same one for the others.
     *
     * @param asked whether the caller asks for it (a queued pass then goes before those asked earlier)
     */
    private <V> V cached(Map<String, V> cache, String key, java.util.function.Supplier<V> make,
            java.util.function.Function<V, Passes.Pass> pass, java.util.function.Consumer<V> made, boolean asked) {
        V v;
        boolean mine = false;
        synchronized (cache) {
            v = cache.get(key);
            if (v == null) {
                v = make.get();
                cache.put(key, v);
                mine = true;
            }
        }
        if (mine) {
            made.accept(v);
            passes.submit(pass.apply(v));
        } else if (asked) {
            passes.asked(pass.apply(v));
        }
        return v;
    }

    private static String key(TaskFilter filter, String groupBy) {
        return filter + "|" + groupBy;
    }

    private static String describe(TaskFilter filter, String groupBy) {
        return (filter.isNone() ? "" : " of " + filter) + (groupBy == null ? "" : " by " + groupBy);
    }

    /**
     * @return the index for {@code filter}'s terms and {@code groupBy}: the first pass's for
     *     none, else one built in a pass of its own (the tasks' attributes settled as they are
     *     read, see {@link TimelineIndex}), queued behind the other such passes, serving the
     *     part indexed so far
     */
    Filtered filtered(TaskFilter filter, String groupBy) {
        if (!filter.hasTerms() && groupBy == null) {
            return new Filtered(index, null);
        }
        TaskFilter terms = filter.termsOnly();
        Filtered f = cached(filtered, key(terms, groupBy), () -> {
            TimelineIndex own = new TimelineIndex(terms, groupBy);
            return new Filtered(own, new IndexPass(own, "the timeline" + describe(terms, groupBy)));
        }, Filtered::pass, this::expectFromFirst, true);
        keepWithinBudget();
        return f;
    }

    /** A new index, queued, shows the trace's time range as the first pass knows it. */
    private void expectFromFirst(Filtered f) {
        long first;
        long last;
        index.lock.lock();
        try {
            first = index.firstTime();
            last = index.lastTime();
        } finally {
            index.lock.unlock();
        }
        f.index().lock.lock();
        try {
            f.index().expect(first, last, fileSize);
        } finally {
            f.index().lock.unlock();
        }
    }

    /**
     * Abandons the least recently used filtered indexes while they take more than a quarter
     * of the heap less the first index ({@link TimelineIndex#bytes()}); the most recent one is
     * always kept. Checked at each request for one and at each segment of their pass.
     */
    private void keepWithinBudget() {
        long budget = Runtime.getRuntime().maxMemory() / 4 - index.bytes();
        synchronized (filtered) {
            if (closed) {
                filtered.values().forEach(f -> passes.abandon(f.pass()));
                filtered.clear();
                return;
            }
            long total = 0;
            for (Filtered f : filtered.values()) {
                total += f.index().bytes();
            }
            var it = filtered.values().iterator();
            while (total > budget && filtered.size() > 1 && it.hasNext()) {
                Filtered f = it.next();
                total -= f.index().bytes();
                passes.abandon(f.pass());
                it.remove();
            }
        }
    }

    /** Writes the {@code /api/timeline} object: lanes, time range, attribute keys, indexing progress. */
    String timeline(TaskFilter filter, String groupBy) {
        Filtered f = filtered(filter, groupBy);
        boolean queued = f.pass() != null && !f.pass().started();
        return TimelineJson.write(file, fileSize, f.index(), queued ? pending(f.pass()) : null, summaryJson != null, index);
    }

    /** Writes one {@code /api/window} object. */
    String window(TaskFilter filter, String groupBy, long from, long to, int bins) {
        Filtered f = filtered(filter, groupBy);
        TimelineWindow w = TimelineWindow.compute(file, f.index(), from, to, bins, f.matching(),
                TimelineWindow.SMALL_READ_BYTES, TimelineWindow.MAX_READ_BYTES, windowReading);
        StringWriter out = new StringWriter();
        w.json(new JsonWriter(out));
        return out.toString();
    }

    /**
     * One task, read from the segments holding {@code [from, to]} when the caller knows
     * its lifetime (a click on the timeline), else from the whole file (two passes).
     *
     * @return the task, or null if the file has no such task
     */
    TaskReport task(long id, long from, long to) {
        return task(id, from, to, java.util.function.UnaryOperator.identity());
    }

    /** As above, a read of the whole file going through the handler {@code around} makes (the view stops one so). */
    TaskReport task(long id, long from, long to, java.util.function.UnaryOperator<TraceHandler> around) {
        if (from < 0 || to < from) {
            List<TaskReport> found = Tasks.byId(file, id, null, around).tasks();
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
}
