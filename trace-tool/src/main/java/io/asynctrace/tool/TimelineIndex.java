package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the view's timeline needs of a whole trace, built in one streaming pass, so
 * that windows can later be read segment by segment instead of holding the trace:
 *
 * <ul>
 *   <li>the <b>segment index</b>: each segment's byte range and the times of its events
 *       (segments of different threads' batches overlap in time; a window reads every
 *       segment whose time range meets it);</li>
 *   <li>the <b>lanes</b>: the GC and heap tracks, one lane per thread (in order of first
 *       appearance; past {@value #MAX_THREAD_LANES} threads the rest share one lane), one
 *       per task type;</li>
 *   <li>an <b>overview</b> of {@value #BINS} time bins over the whole trace, per lane: the
 *       time busy in it (thread: top-level spans and jobs running; type: the sum of its
 *       tasks' time in the bin, i.e. concurrency × width; GC: pause time) and the heap's
 *       largest used-after-GC value — what a zoomed-out view draws;</li>
 *   <li>the <b>long intervals</b>: every task, span, job and runtime event lasting at
 *       least {@link #longNanos()}, which adapts so that at most {@value #MAX_LONG} are kept.
 *       A window read starts {@code longNanos} before the window, so any shorter interval
 *       that overlaps the window has its begin in the segments read.</li>
 * </ul>
 * Memory: the segment index (four longs per segment), {@value #BINS} longs per lane, the
 * long intervals, and one entry per open task, span and job. Not thread-safe while built;
 * read-only afterwards.
 */
final class TimelineIndex implements TraceHandler {
    static final int BINS = 4096;
    static final int MAX_THREAD_LANES = 512;
    static final int MAX_LONG = 50_000;
    /** Distinct task attribute keys kept for the view's group-by selector. */
    static final int MAX_KEYS = 64;

    static final int LANE_GC = 0;
    static final int LANE_HEAP = 1;

    /** Kinds of timeline items. */
    static final int TASK = 0;
    static final int SPAN = 1;
    static final int JOB = 2;
    static final int WAIT = 3;
    static final int RUNTIME = 4;

    /** One drawable interval: a lane, a time range, a kind, the task it belongs to, a label. */
    record Item(int lane, long start, long end, int kind, long task, long id, String label) {
    }

    /** A lane: "gc", "heap", "thread" (with its id) or "type". */
    record Lane(String kind, long thread, String name) {
    }

    // Segment index.
    private long[] segOffset = new long[256];
    private long[] segMin = new long[256];
    private long[] segMax = new long[256];
    private int segments;
    private long fileEnd;

    private final List<Lane> lanes = new ArrayList<>();
    private final Map<Long, Integer> threadLane = new HashMap<>();
    private final Map<String, Integer> typeLane = new HashMap<>();
    private int otherThreadsLane = -1;
    private final Set<String> keys = new LinkedHashSet<>();

    // Overview.
    private long binWidth = 1024;
    private final List<long[]> bins = new ArrayList<>();

    // Long intervals.
    private long longNanos = 1_000_000;
    private final List<Item> longItems = new ArrayList<>();

    // Open intervals while building.
    private final LongMap<Object[]> openTasks = new LongMap<>(1024);
    private final LongMap<Object[]> openSpans = new LongMap<>(1024);
    private final LongMap<long[]> openJobs = new LongMap<>(1024);
    private long firstTime = Long.MAX_VALUE;
    private long lastTime = Long.MIN_VALUE;

    /**
     * Held by the thread building the index, released at each segment boundary, and by
     * readers of the index (windows) for as long as they use it: the view builds it in the
     * background while serving the part already indexed.
     */
    final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock(true);
    /** Bytes of the file indexed so far (the offset of the segment being read). */
    volatile long indexedBytes;
    /** Whether the whole file is indexed. */
    volatile boolean complete;

    TimelineIndex() {
        lane(new Lane("gc", 0, "GC"));
        lane(new Lane("heap", 0, "heap after GC"));
    }

    private int lane(Lane l) {
        lanes.add(l);
        bins.add(new long[BINS]);
        return lanes.size() - 1;
    }

    int threadLane(long thread) {
        Integer i = threadLane.get(thread);
        if (i != null) {
            return i;
        }
        if (threadLane.size() >= MAX_THREAD_LANES) {
            if (otherThreadsLane < 0) {
                otherThreadsLane = lane(new Lane("thread", -1, "other threads"));
            }
            threadLane.put(thread, otherThreadsLane);
            return otherThreadsLane;
        }
        int lane = lane(new Lane("thread", thread, thread == 0 ? "JVM" : "#" + thread));
        threadLane.put(thread, lane);
        return lane;
    }

    int typeLane(String type) {
        Integer i = typeLane.get(type);
        if (i == null) {
            i = lane(new Lane("type", 0, type));
            typeLane.put(type, i);
        }
        return i;
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        if (lock.isHeldByCurrentThread()) {
            // Let the view read what is indexed so far.
            fileEnd = offset;
            indexedBytes = offset;
            lock.unlock();
            lock.lock();
        }
        if (segments == segOffset.length) {
            segOffset = Arrays.copyOf(segOffset, segments * 2);
            segMin = Arrays.copyOf(segMin, segments * 2);
            segMax = Arrays.copyOf(segMax, segments * 2);
        }
        segOffset[segments] = offset;
        segMin[segments] = Long.MAX_VALUE;
        segMax[segments] = Long.MIN_VALUE;
        segments++;
    }

    @Override
    public void onThread(long thread, String name) {
        int lane = threadLane(thread);
        Lane l = lanes.get(lane);
        if (l.thread() == thread) {
            lanes.set(lane, new Lane("thread", thread, name));
        }
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        see(time);
        int lane = typeLane(type);
        openTasks.put(task, time, new Object[] {lane, null});
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        if (openTasks.find(task)) {
            long start = openTasks.foundLong();
            int lane = (Integer) openTasks.foundObject()[0];
            openTasks.removeFound();
            interval(lane, start, time, TASK, task, task, outcome);
        }
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        see(time);
        openSpans.put(span, time, new Object[] {threadLane(thread), name, task, parent});
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        see(time);
        if (openSpans.find(span)) {
            long start = openSpans.foundLong();
            Object[] o = openSpans.foundObject();
            openSpans.removeFound();
            interval((Integer) o[0], start, time, (Long) o[3] == 0 ? SPAN : -SPAN, (Long) o[2], span, (String) o[1]);
        }
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        see(time);
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        see(time);
        if (!onSpan && keys.size() < MAX_KEYS) {
            keys.add(key);
        }
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        see(time);
        openJobs.put(job, time, new long[] {task, -1, 0});
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        see(time);
        long[] j = openJobs.get(job);
        if (j != null) {
            j[1] = time;
            j[2] = thread;
            interval(threadLane(thread), openJobs.foundLong(), time, WAIT, j[0], job, null);
        }
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        see(time);
        if (openJobs.find(job)) {
            long[] j = openJobs.foundObject();
            openJobs.removeFound();
            if (j[1] >= 0) {
                interval(threadLane(thread), j[1], time, JOB, j[0], job, null);
            }
        }
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        see(time);
        if (kind == RuntimeKind.GC_PAUSE) {
            interval(LANE_GC, time, time + duration, RUNTIME, 0, value, RuntimeText.name(kind));
        } else if (kind == RuntimeKind.HEAP_AFTER_GC) {
            int b = bin(Math.max(0, time));
            long[] heap = bins.get(LANE_HEAP);
            heap[b] = Math.max(heap[b], value);
        } else if (RuntimeText.attributed(kind) && duration > 0) {
            interval(threadLane(thread), time, time + duration, RUNTIME, 0, 0, RuntimeText.name(kind));
        }
    }

    /** Closes the books: intervals still open last to the trace's last event. */
    void finish(long fileSize) {
        fileEnd = fileSize;
        indexedBytes = fileSize;
        long end = lastTime;
        openTasks.forEach((id, start, o) -> interval((Integer) o[0], start, Math.max(start, end), TASK, id, id, null));
        openSpans.forEach((id, start, o) -> interval((Integer) o[0], start, Math.max(start, end), SPAN, (Long) o[2], id,
                (String) o[1]));
        openJobs.forEach((id, queued, j) -> {
            if (j[1] >= 0) {
                interval(threadLane(j[2]), j[1], Math.max(j[1], end), JOB, j[0], id, null);
            }
        });
    }

    private void interval(int lane, long start, long end, int kind, long task, long id, String label) {
        boolean nested = kind == -SPAN;
        int k = nested ? SPAN : kind;
        if (!nested && k != WAIT) {
            addBusy(lane, start, end);
        }
        if (end - start >= longNanos) {
            longItems.add(new Item(lane, start, end, k, task, id, label));
            if (longItems.size() > MAX_LONG) {
                longNanos *= 2;
                longItems.removeIf(i -> i.end() - i.start() < longNanos);
            }
        }
    }

    private void addBusy(int lane, long start, long end) {
        long s = Math.max(0, start);
        long e = Math.max(s, end);
        bin(e); // grows the bins first
        long[] b = bins.get(lane);
        for (int i = (int) (s / binWidth); s < e; i++) {
            long binEnd = (i + 1) * binWidth;
            long part = Math.min(e, binEnd) - s;
            b[i] += part;
            s += part;
        }
    }

    /** @return the bin of {@code time}, doubling the bin width until it fits */
    private int bin(long time) {
        while (time >= binWidth * BINS) {
            for (int lane = 0; lane < bins.size(); lane++) {
                long[] b = bins.get(lane);
                for (int i = 0; i < BINS / 2; i++) {
                    b[i] = lane == LANE_HEAP ? Math.max(b[2 * i], b[2 * i + 1]) : b[2 * i] + b[2 * i + 1];
                }
                Arrays.fill(b, BINS / 2, BINS, 0);
            }
            binWidth *= 2;
        }
        return (int) (time / binWidth);
    }

    private void see(long time) {
        if (time < firstTime) {
            firstTime = time;
        }
        if (time > lastTime) {
            lastTime = time;
        }
        if (segments > 0) {
            int s = segments - 1;
            if (time < segMin[s]) {
                segMin[s] = time;
            }
            if (time > segMax[s]) {
                segMax[s] = time;
            }
        }
    }

    List<Lane> lanes() {
        return lanes;
    }

    Set<String> attributeKeys() {
        return keys;
    }

    long firstTime() {
        return firstTime == Long.MAX_VALUE ? 0 : Math.max(0, firstTime);
    }

    long lastTime() {
        return lastTime == Long.MIN_VALUE ? 0 : lastTime;
    }

    long longNanos() {
        return longNanos;
    }

    long binWidth() {
        return binWidth;
    }

    long[] bins(int lane) {
        return bins.get(lane);
    }

    /** @return the long intervals that overlap {@code [from, to]} */
    List<Item> longItems(long from, long to) {
        List<Item> found = new ArrayList<>();
        for (Item i : longItems) {
            if (i.end() >= from && i.start() <= to) {
                found.add(i);
            }
        }
        return found;
    }

    /**
     * @return the byte ranges {@code [start, end)} of the segments with an event in
     *     {@code [from, to]}, in file order, merged where adjacent; {@code long[0]} holds
     *     their total length
     */
    long[][] segmentsMeeting(long from, long to) {
        List<long[]> ranges = new ArrayList<>();
        long total = 0;
        for (int s = 0; s < segments; s++) {
            if (segMin[s] == Long.MAX_VALUE || segMax[s] < from || segMin[s] > to) {
                continue;
            }
            long start = segOffset[s];
            long end = s + 1 < segments ? segOffset[s + 1] : fileEnd;
            total += end - start;
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == start) {
                ranges.get(ranges.size() - 1)[1] = end;
            } else {
                ranges.add(new long[] {start, end});
            }
        }
        long[][] out = new long[ranges.size() + 1][];
        out[0] = new long[] {total};
        for (int i = 0; i < ranges.size(); i++) {
            out[i + 1] = ranges.get(i);
        }
        return out;
    }

    int segmentCount() {
        return segments;
    }
}
