package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One window of the view's timeline, {@code [from, to]} drawn {@code bins} wide, served
 * at the zoom level asked:
 *
 * <ul>
 *   <li><b>overview</b>: when the window holds more than {@value #MAX_READ_BYTES} bytes of
 *       segments, or more than {@value #SMALL_READ_BYTES} and the {@link TimelineIndex}'s
 *       overview is as fine as asked, the busy time per lane and bin comes from the index,
 *       without reading the file;</li>
 *   <li>otherwise the segments meeting the window (widened by the index's long-interval
 *       threshold) are read: <b>detail</b> lists each task, span, job, wait for a thread and
 *       runtime slice (at most {@value #MAX_ITEMS}; long ones come from the index), and
 *       <b>summary</b>, past that many, gives busy time per lane and bin from the read.</li>
 * </ul>
 * While the index is still being built, a window that reaches far into the part not
 * indexed yet (its bytes estimated by {@link TimelineIndex#unindexedBytes}) is an
 * overview too: the page opens on the whole trace at once, filling in as the pass goes,
 * instead of waiting for it; {@code indexed_to_ns} says how far the data goes. A read
 * never adds lanes to the index (only its pass does): an item whose lane the pass has not
 * made yet (a task it decides later, in a group-by value's lane) is left out of the window
 * and counted in {@code undecided_items}.
 * Memory: the items of the window (bounded) and the intervals open in the segments read.
 */
final class TimelineWindow implements TraceHandler {
    static final long MAX_READ_BYTES = 16L << 20;
    /** Reads this small are always made: they give the items to click, not just busy time. */
    static final long SMALL_READ_BYTES = 2L << 20;
    static final int MAX_ITEMS = 20_000;

    private final TimelineIndex index;
    private final long from;
    private final long to;
    private final int nbins;
    private final double binNanos;
    private final long[][] binValues;
    private final List<TimelineIndex.Item> items = new ArrayList<>();
    private boolean tooMany;
    /** Items read whose lane the index has not made yet (a task the pass decides later): left out, counted. */
    private long undecided;
    /** Pairs the tasks read and, with a group-by key, settles the attribute that picks their lane. */
    private final TaskTracker tracker = new TaskTracker(this::decided);
    private final LongMap<Object[]> openSpans = new LongMap<>(1024);
    private final LongMap<long[]> openJobs = new LongMap<>(1024);
    private long bytesRead;
    private long indexedTo;
    private String mode;
    /** The index's long-interval threshold and last event time when the window was planned (the read uses them). */
    private final long longNanos;
    private final long last;
    /** The index's long intervals in the window, taken under its lock. */
    private List<TimelineIndex.Item> longItems = List.of();

    private TimelineWindow(TimelineIndex index, long from, long to, int bins) {
        this.index = index;
        this.from = from;
        this.to = Math.max(from + 1, to);
        this.nbins = bins;
        this.binNanos = (this.to - from) / (double) bins;
        this.binValues = new long[index.laneCount()][];
        this.longNanos = index.longNanos();
        this.last = index.lastTime();
    }

    /**
     * Computes a window. The index's lock is held only to take what the read needs (the
     * segments' ranges and tables, the long intervals, the thresholds, a copy of the
     * matching tasks) or to answer from the overview; the file is read without it, so the
     * pass and other readers go on meanwhile.
     *
     * @param file the trace
     * @param index its index (built through the same filter as {@code matching})
     * @param from the window's start, ns
     * @param to its end, ns
     * @param bins how many bins to summarise it in (about the pixels drawn)
     * @param matching the tasks to show, or null for all (read only under the index's lock)
     * @return the window, ready to write
     * @throws ToolException if the file cannot be read
     */
    static TimelineWindow compute(Path file, TimelineIndex index, long from, long to, int bins, MatchingTasks matching) {
        return compute(file, index, from, to, bins, matching, SMALL_READ_BYTES, MAX_READ_BYTES);
    }

    /** As above, with the read limits given (tests use small ones). */
    static TimelineWindow compute(Path file, TimelineIndex index, long from, long to, int bins, MatchingTasks matching,
            long smallRead, long maxRead) {
        return compute(file, index, from, to, bins, matching, smallRead, maxRead, () -> { });
    }

    /** As above, {@code reading} run just before the file is read (tests: what may happen meanwhile). */
    static TimelineWindow compute(Path file, TimelineIndex index, long from, long to, int bins, MatchingTasks matching,
            long smallRead, long maxRead, Runnable reading) {
        TimelineWindow w;
        long[][] ranges;
        io.asynctrace.reader.TraceReader.Tables tables;
        MatchingTasks shown;
        index.lock.lock();
        try {
            w = new TimelineWindow(index, from, to, Math.max(1, Math.min(bins, 4000)));
            long[][] found = index.segmentsMeeting(from - w.longNanos, to + w.longNanos);
            long bytes = found[0][0];
            // While the background pass runs, the part not indexed yet counts as read too: a window
            // reaching into it is drawn from the overview (and the page marks what is still missing).
            long pending = index.unindexedBytes(from, to);
            w.indexedTo = index.indexedTo();
            double overviewBins = (w.to - from) / (double) index.binWidth();
            if ((pending > 0 && bytes + pending > maxRead) || bytes > maxRead
                    || (overviewBins >= w.nbins && bytes > smallRead)) {
                w.mode = "overview";
                w.fromOverview();
                return w;
            }
            ranges = new long[found.length - 1][];
            System.arraycopy(found, 1, ranges, 0, ranges.length);
            w.bytesRead = bytes;
            tables = index.tablesBefore(ranges.length == 0 ? 0 : ranges[ranges.length - 1][1]);
            shown = matching == null ? null : matching.copy();
            w.longItems = index.longItems(w.from, w.to);
        } finally {
            index.lock.unlock();
        }
        TraceHandler h = shown == null ? w : new FilteredHandler(w, TaskFilter.NONE, shown);
        reading.run();
        Scan.readSegments(file, ranges, tables, h);
        w.finishRead(shown);
        return w;
    }

    private void fromOverview() {
        long width = index.binWidth();
        for (int lane = 0; lane < binValues.length; lane++) {
            long[] src = index.bins(lane);
            boolean heap = lane == TimelineIndex.LANE_HEAP;
            int first = (int) Math.max(0, from / width);
            int last = (int) Math.min(TimelineIndex.BINS - 1, to / width);
            for (int i = first; i <= last; i++) {
                if (src[i] == 0) {
                    continue;
                }
                if (heap) {
                    int k = bin(i * width + width / 2);
                    long[] v = values(lane);
                    v[k] = Math.max(v[k], src[i]);
                } else {
                    spread(lane, i * width, (i + 1) * width, src[i]);
                }
            }
        }
    }

    /** Adds {@code amount} spread evenly over {@code [start, end)}, clipped to the window. */
    private void spread(int lane, long start, long end, long amount) {
        long s = Math.max(start, from);
        long e = Math.min(end, to);
        if (e <= s) {
            return;
        }
        double perNano = amount / (double) (end - start);
        long[] v = values(lane);
        int k = bin(s);
        while (s < e && k < nbins) {
            long binEnd = Math.min(e, from + (long) Math.ceil((k + 1) * binNanos));
            if (binEnd <= s) {
                binEnd = Math.min(e, s + 1);
            }
            v[k] += Math.round((binEnd - s) * perNano);
            s = binEnd;
            k++;
        }
    }

    private int bin(long time) {
        return (int) Math.max(0, Math.min(nbins - 1, (long) ((time - from) / binNanos)));
    }

    private long[] values(int lane) {
        if (binValues[lane] == null) {
            binValues[lane] = new long[nbins];
        }
        return binValues[lane];
    }

    private void interval(int lane, long start, long end, int kind, long task, long id, String label, boolean busy) {
        if (end < from || start > to) {
            return;
        }
        if (end - start >= longNanos) {
            return; // the index has it
        }
        if (lane < 0 || lane >= binValues.length) { // not made yet, or made after the window was planned
            undecided++;
            return;
        }
        if (busy) {
            spread(lane, start, Math.max(start + 1, end), Math.max(1, end - start));
        }
        if (items.size() < MAX_ITEMS) {
            items.add(new TimelineIndex.Item(lane, start, end, kind, task, id, label));
        } else {
            tooMany = true;
        }
    }

    /**
     * Adds the index's long intervals. An interval still open where the read stopped that
     * ends past the read lasts longer than the long-interval threshold, so the index has
     * it; one that would be shorter than the threshold if it lasted to the trace's last
     * event never ended, and is drawn to there.
     */
    private void finishRead(MatchingTasks matching) {
        long threshold = longNanos;
        tracker.finish(); // the tasks still open where the read stopped
        openSpans.forEach((id, start, o) -> {
            if (last - start < threshold) {
                interval((Integer) o[0], start, Math.max(start, last), TimelineIndex.SPAN, (Long) o[2], id, (String) o[1],
                        (Long) o[3] == 0);
            }
        });
        for (TimelineIndex.Item i : longItems) {
            if (matching != null && (i.task() == 0 || !matching.contains(i.task()))) {
                continue;
            }
            // Busy time of long intervals: the read skipped them.
            if (i.kind() != TimelineIndex.WAIT && (i.kind() != TimelineIndex.RUNTIME || i.lane() == TimelineIndex.LANE_GC)) {
                spread(i.lane(), i.start(), Math.max(i.start() + 1, i.end()), Math.max(1, i.end() - i.start()));
            }
            if (items.size() < MAX_ITEMS) {
                items.add(i);
            } else {
                tooMany = true;
            }
        }
        mode = tooMany ? "summary" : "detail";
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        tracker.segment();
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        tracker.begin(time, thread, task, parent, type, earlier);
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        tracker.end(time, thread, task, outcome);
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        if (!onSpan && key.equals(index.groupBy)) {
            tracker.attribute(time, target, key, value);
        }
    }

    /**
     * A task read whole, or still open where the read stopped: one that would be shorter
     * than the long-interval threshold if it lasted to the trace's last event never ended,
     * and is drawn to there; a longer one is the index's.
     */
    private void decided(TaskTracker.TaskState t) {
        int lane = index.laneOf(t.type, index.groupBy == null ? null : t.attr(index.groupBy));
        if (t.ended) {
            interval(lane, t.start, t.end, TimelineIndex.TASK, t.id, t.id, t.outcome, true);
        } else {
            if (last - t.start < longNanos) {
                interval(lane, t.start, Math.max(t.start, last), TimelineIndex.TASK, t.id, t.id, null, true);
            }
        }
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        openSpans.put(span, time, new Object[] {index.threadLaneOf(thread), name, task, parent});
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        if (openSpans.find(span)) {
            long start = openSpans.foundLong();
            Object[] o = openSpans.foundObject();
            openSpans.removeFound();
            interval((Integer) o[0], start, time, TimelineIndex.SPAN, (Long) o[2], span, (String) o[1], (Long) o[3] == 0);
        }
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        openJobs.put(job, time, new long[] {task, -1, 0});
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        long[] j = openJobs.get(job);
        if (j != null) {
            j[1] = time;
            j[2] = thread;
            interval(index.threadLaneOf(thread), openJobs.foundLong(), time, TimelineIndex.WAIT, j[0], job, null, false);
        }
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        if (openJobs.find(job)) {
            long[] j = openJobs.foundObject();
            openJobs.removeFound();
            if (j[1] >= 0) {
                interval(index.threadLaneOf(thread), j[1], time, TimelineIndex.JOB, j[0], job, null, true);
            }
        }
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        if (kind == RuntimeKind.GC_PAUSE) {
            interval(TimelineIndex.LANE_GC, time, time + duration, TimelineIndex.RUNTIME, 0, value, "GC pause " + detail, true);
        } else if (kind == RuntimeKind.HEAP_AFTER_GC) {
            if (time >= from && time <= to) {
                long[] v = values(TimelineIndex.LANE_HEAP);
                int k = bin(time);
                v[k] = Math.max(v[k], value);
            }
        } else if (RuntimeText.attributed(kind) && duration > 0) {
            interval(index.threadLaneOf(thread), time, time + duration, TimelineIndex.RUNTIME, 0, 0,
                    RuntimeText.describe(kind, duration, value, detail), false);
        }
    }

    /** Writes the window as the JSON object of {@code /api/window}. */
    void json(JsonWriter j) {
        j.beginObject().field("from", from).field("to", to).field("mode", mode).field("bins", nbins);
        j.name("bin_ns").raw(String.format(java.util.Locale.ROOT, "%.3f", binNanos));
        j.field("bytes_read", bytesRead).field("long_ns", longNanos).field("indexed_to_ns", indexedTo);
        j.field("undecided_items", undecided);
        j.name("values").beginArray();
        for (int lane = 0; lane < binValues.length; lane++) {
            if (binValues[lane] != null) {
                j.beginArray().value(lane);
                for (long v : binValues[lane]) {
                    j.value(v);
                }
                j.endArray();
            }
        }
        j.endArray();
        j.name("items").beginArray();
        if ("detail".equals(mode)) {
            for (TimelineIndex.Item i : items) {
                j.beginArray().value(i.lane()).value(i.start()).value(i.end()).value(i.kind()).value(i.task())
                        .value(i.id()).value(i.label()).endArray();
            }
        }
        j.endArray();
        j.endObject();
    }

    String mode() {
        return mode;
    }

    int itemCount() {
        return items.size();
    }
}
