package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceReader;
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
 *   <li>the <b>segment index</b> ({@link SegmentTable}): each segment's byte range and the
 *       times of its events;</li>
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
 * Tasks are paired by a {@link TaskTracker}, which settles their attributes before a task
 * is put in its lane, so that an index can be built <b>in one pass</b> for the view's
 * filter box and group-by selector: with {@code --where} terms only the tasks that pass
 * (and their spans and jobs, held until their task is decided) are indexed, and the set of
 * them ({@link #matching()}) filters the windows read later; with a group-by key each
 * type's lane splits by the key's value, tasks without it in a lane of their own.
 *
 * <p>Memory: the segment index (four longs per segment), {@value #BINS} longs per lane, the
 * long intervals, one entry per open task, span and job and per task of the last two
 * segments (the tracker's), with terms about one bit per task id and the intervals held
 * for undecided tasks. Not thread-safe while built; read-only afterwards.
 */
final class TimelineIndex implements TraceHandler {
    static final int BINS = 4096;
    static final int MAX_THREAD_LANES = 512;
    static final int MAX_LONG = 50_000;
    /** Distinct task attribute keys kept for the view's group-by selector. */
    static final int MAX_KEYS = 64;
    /** Group-by values given lanes of their own over all types (see {@link Groups}). */
    static final int MAX_GROUP_LANES = 256;
    /** With terms: the most spans and jobs held for one task not decided yet, and for all of them. */
    static final int MAX_HELD_PER_TASK = 4096;
    static final int MAX_HELD = 1 << 16;

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

    /**
     * A lane: "gc", "heap", "thread" (with its id) or "type" (a task type; with a group-by
     * key, one lane per type and value of the key, {@code group} null for its tasks without it).
     */
    record Lane(String kind, long thread, String name, String group) {
        Lane(String kind, long thread, String name) {
            this(kind, thread, name, null);
        }

        /** @return whether this is a type's lane of the group-by values past {@link Groups#PER_TYPE} */
        boolean otherValues() {
            return Groups.isOther(group);
        }
    }

    private final SegmentTable segments = new SegmentTable();
    /** The reader of the indexing pass, set by {@link #reading}: each segment records its tables. */
    private TraceReader reader;

    private final List<Lane> lanes = new ArrayList<>();
    private final Map<Long, Integer> threadLane = new HashMap<>();
    private final Map<String, Integer> typeLane = new HashMap<>();
    /** The attribute task lanes are split by, or null. */
    final String groupBy;
    /** The tasks shown: those whose attributes pass its terms (its window is the page's business). */
    private final TaskFilter filter;
    /** With terms: the tasks that passed so far; windows read with it. */
    private final IdSet matching;
    /** Pairs tasks and settles their attributes before their lane (group) and fate (filter) are known. */
    private final TaskTracker tracker = new TaskTracker(this::decided);
    /** With terms: the tasks decided so far. */
    private final IdSet decidedIds = new IdSet();
    /** With terms: thread-lane intervals (spans, jobs) of tasks not decided yet, by task. */
    private final LongMap<List<Item>> deferred = new LongMap<>(1024);
    /** Items in {@link #deferred}. */
    private int held;
    /** With terms: tasks decided on the attributes read so far, since they held too many items. */
    private long decidedEarly;
    /** With terms: spans and jobs of tasks whose begin was never read (or past the bounds while unknown). */
    private long droppedItems;
    /** With a group-by key: the groups, capped. */
    private final Groups groups = new Groups(MAX_GROUP_LANES);

    private int otherThreadsLane = -1;
    private final Set<String> keys = new LinkedHashSet<>();
    /** A copy of {@link #keys} for readers on other threads (the view's selector), replaced when one is added. */
    private volatile List<String> keysSeen = List.of();

    // Overview: per lane, made at its first busy time (null until then).
    private long binWidth = 1024;
    private final List<long[]> bins = new ArrayList<>();
    /** Lanes whose bins are made: the overview's memory is this times {@value #BINS} longs. */
    private volatile int binLanes;
    private static final long[] NO_BINS = new long[BINS];

    // Long intervals.
    private long longNanos = 1_000_000;
    private final List<Item> longItems = new ArrayList<>();

    // Open intervals while building.
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
    /** Why the pass failed, or null: the index holds what was read before, and is never complete. */
    volatile String failure;
    /** Set when nobody will read this index any more: the pass stops at the next segment. */
    volatile boolean abandoned;

    /** Thrown out of the pass of an {@link #abandoned} index. */
    static final class Abandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandoned() {
            super("index abandoned", null, false, false);
        }
    }
    /** The trace's last event time as {@link #scout} found it in the file's last segments, or MIN_VALUE. */
    private long expectedLast = Long.MIN_VALUE;
    /** The file's size, for estimating what is not indexed yet. */
    private long fileSize;
    /** Time up to which the index holds the trace: the earliest event of the last segment read whole. */
    private long indexedTo = Long.MIN_VALUE;

    /** An index of every task, lanes by type. */
    TimelineIndex() {
        this(TaskFilter.NONE, null);
    }

    /**
     * @param filter only tasks whose attributes pass its terms (and their spans and jobs) are
     *     indexed; runtime events are, whatever the terms
     * @param groupBy the task attribute whose values split each type's lane, or null
     */
    TimelineIndex(TaskFilter filter, String groupBy) {
        this.filter = filter;
        this.groupBy = groupBy;
        this.matching = filter.hasTerms() ? new IdSet() : null;
        lane(new Lane("gc", 0, "GC"));
        lane(new Lane("heap", 0, "heap after GC"));
    }

    private int lane(Lane l) {
        lanes.add(l);
        bins.add(null);
        return lanes.size() - 1;
    }

    /** @return the lane's bins, made now if they are not */
    private long[] binsToAdd(int lane) {
        long[] b = bins.get(lane);
        if (b == null) {
            b = new long[BINS];
            bins.set(lane, b);
            binLanes++;
        }
        return b;
    }

    /** @return the bytes the overview's bins take */
    long binBytes() {
        return (long) binLanes * BINS * Long.BYTES;
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

    /**
     * @return the lane of tasks of {@code type} whose group is {@code group} (null: without
     *     the group-by attribute; {@link Groups#OTHER}: past the cap), made if missing.
     *     Only the pass makes lanes: readers use {@link #laneOf}.
     */
    private int typeLane(String type, String group) {
        String key = typeKey(type, group);
        Integer i = typeLane.get(key);
        if (i == null) {
            i = lane(new Lane("type", 0, type, groupBy == null ? null : group));
            typeLane.put(key, i);
        }
        return i;
    }

    private String typeKey(String type, String group) {
        return groupBy == null ? type : type + '\u0000' + (group == null ? "\u0001" : group);
    }

    /** Scout's hook: the lane of a type met in the file's last segments (without group-by). */
    void typeMet(String type) {
        if (groupBy == null) {
            typeLane(type, null);
        }
    }

    /**
     * The lane a reader of the index (a window) puts a task in, without making one.
     *
     * @param type the task's type
     * @param value its group-by attribute's value (ignored without group-by), or null
     * @return the lane, or -1 if the pass has not made it yet (a task not decided by the pass)
     */
    int laneOf(String type, String value) {
        String group = groupBy == null ? null : groups.peek(type, value, null);
        if (groupBy != null && value != null && group == null) {
            return -1; // a value the pass has not given a group yet
        }
        Integer i = typeLane.get(typeKey(type, group));
        return i == null ? -1 : i;
    }

    /** @return the lane of {@code thread}'s spans and jobs, without making one; -1 if the pass has not met it */
    int threadLaneOf(long thread) {
        Integer i = threadLane.get(thread);
        if (i != null) {
            return i;
        }
        return threadLane.size() >= MAX_THREAD_LANES ? otherThreadsLane : -1;
    }

    /** @return the tasks that passed the terms so far, or null without terms */
    MatchingTasks matching() {
        return matching == null ? null : MatchingTasks.of(matching);
    }

    /** @return whether task attributes matter to this index: it is filtered or grouped */
    boolean readsAttributes() {
        return matching != null || groupBy != null;
    }

    /** Scan.read's hook: the reader of the indexing pass, whose tables each segment records. */
    void reading(TraceReader r) {
        reader = r;
    }

    /**
     * @param end the end of the last segment a read takes
     * @return the tables to start that read from: those after the last segment before {@code end}
     */
    TraceReader.Tables tablesBefore(long end) {
        return segments.tablesBefore(end);
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        if (segments.currentMin() != Long.MAX_VALUE) {
            indexedTo = Math.max(indexedTo, segments.currentMin());
        }
        if (lock.isHeldByCurrentThread()) {
            // Let the view read what is indexed so far.
            segments.end(offset);
            indexedBytes = offset;
            lock.unlock();
            lock.lock();
        }
        if (abandoned) {
            throw new Abandoned();
        }
        tracker.segment();
        segments.start(offset, reader == null ? null : reader.tables());
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
        if (tracker.begin(time, thread, task, parent, type, earlier) != null && groupBy == null) {
            // Made now, not when the task is decided two segments on: a window read meanwhile finds it.
            typeLane(type, null);
        }
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        tracker.end(time, thread, task, outcome);
    }

    /** A task's attributes are settled: its lane is known, and whether it passes the terms. */
    private void decided(TaskTracker.TaskState t) {
        boolean passes;
        if (matching == null) {
            passes = true;
        } else if (decidedIds.contains(t.id)) {
            passes = matching.contains(t.id); // decided early, on the attributes read by then
        } else {
            passes = judge(t);
        }
        if (passes) {
            long end = t.ended ? t.end : Math.max(t.start, lastTime);
            interval(typeLane(t.type, groupBy == null ? null : groups.group(t.type, t.attr(groupBy))), t.start, end, TASK,
                    t.id, t.id, t.ended ? t.outcome : null);
        }
    }

    /** With terms: whether the task passes, on the attributes read so far; its held items are let go. */
    private boolean judge(TaskTracker.TaskState t) {
        boolean passes = filter.matches(t.attrs);
        decidedIds.add(t.id);
        if (passes) {
            matching.add(t.id);
        }
        if (deferred.find(t.id)) {
            List<Item> list = deferred.foundObject();
            deferred.removeFound();
            held -= list.size();
            if (passes) {
                for (Item i : list) {
                    interval(i.lane(), i.start(), i.end(), i.kind(), i.task(), i.id(), i.label());
                }
            }
        }
        return passes;
    }

    /**
     * A span's or job's interval on a thread lane: with terms, only for a task that passes,
     * held until the task is decided.
     */
    private void taskInterval(int lane, long start, long end, int kind, long task, long id, String label) {
        if (matching == null) {
            interval(lane, start, end, kind, task, id, label);
        } else if (task != 0 && !decidedIds.contains(task)) {
            List<Item> list = deferred.get(task);
            TaskTracker.TaskState t = tracker.pending(task);
            if (t != null && t.begun && (held >= MAX_HELD || (list != null && list.size() >= MAX_HELD_PER_TASK))) {
                // Holding more would grow without bound (a task open for the whole trace): decided now,
                // on the attributes read so far; a later one no longer changes whether it is shown.
                decidedEarly++;
                if (judge(t)) {
                    interval(lane, start, end, kind, task, id, label);
                }
                return;
            }
            if (held >= MAX_HELD || (list == null && t == null && deferred.size() >= TaskTracker.ORPHAN_LIMIT)
                    || (list != null && list.size() >= MAX_HELD_PER_TASK)) {
                droppedItems++; // a task whose begin is not read yet: it cannot be decided, nor held any more
                return;
            }
            if (list == null) {
                // A task whose begin has not been read is held too: it may still come (on a thread flushed later).
                list = new ArrayList<>(4);
                deferred.put(task, 0, list);
            }
            list.add(new Item(lane, start, end, kind, task, id, label));
            held++;
        } else if (task != 0 && matching.contains(task)) {
            interval(lane, start, end, kind, task, id, label);
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
            taskInterval((Integer) o[0], start, time, (Long) o[3] == 0 ? SPAN : -SPAN, (Long) o[2], span, (String) o[1]);
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
            key(key);
        }
        if (!onSpan && (matching != null || key.equals(groupBy))) {
            tracker.attribute(time, target, key, value);
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
            taskInterval(threadLane(thread), openJobs.foundLong(), time, WAIT, j[0], job, null);
        }
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        see(time);
        if (openJobs.find(job)) {
            long[] j = openJobs.foundObject();
            openJobs.removeFound();
            if (j[1] >= 0) {
                taskInterval(threadLane(thread), j[1], time, JOB, j[0], job, null);
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
            long[] heap = binsToAdd(LANE_HEAP);
            heap[b] = Math.max(heap[b], value);
        } else if (RuntimeText.attributed(kind) && duration > 0) {
            interval(threadLane(thread), time, time + duration, RUNTIME, 0, 0, RuntimeText.name(kind));
        }
    }

    /**
     * Reads ahead, before the pass: {@code tail} (the file's last segments, from
     * {@link TailSegments}) gives the trace's end, so that the overview's bins are sized
     * for the whole trace from the start and the view can show the whole time range (and
     * the lanes met there) while the pass is still at the beginning.
     *
     * @param file the trace
     * @param size its size
     * @param tail byte ranges of its last segments, possibly none; if they cannot be read,
     *     the pass finds out and says so
     */
    void scout(java.nio.file.Path file, long size, long[][] tail) {
        fileSize = size;
        if (tail.length == 0) {
            return;
        }
        try {
            // From format 3 they continue the tables of the segments before them: the first segment's
            // (where most names go in) are read too, and what else is missing stands in as "".
            Scan.readSegments(file, TailSegments.withFirst(file, tail), io.asynctrace.reader.TraceReader.Tables.LENIENT,
                    new TailSegments.Scout(this));
        } catch (ToolException e) {
            return;
        }
        if (expectedLast > 0) {
            bin(expectedLast); // sizes the bins once, while they are empty
        }
    }

    /** The scout read an event at {@code time}. */
    void scouted(long time) {
        expectedLast = Math.max(expectedLast, time);
    }

    /** A task attribute key for the group-by selector. */
    void key(String key) {
        if (keys.size() < MAX_KEYS && keys.add(key)) {
            keysSeen = List.copyOf(keys);
        }
    }

    /** Closes the books: intervals still open last to the trace's last event. */
    void finish(long fileSize) {
        segments.end(fileSize);
        indexedBytes = fileSize;
        indexedTo = Long.MAX_VALUE;
        long end = lastTime;
        openSpans.forEach((id, start, o) -> taskInterval((Integer) o[0], start, Math.max(start, end), SPAN, (Long) o[2],
                id, (String) o[1]));
        openJobs.forEach((id, queued, j) -> {
            if (j[1] >= 0) {
                taskInterval(threadLane(j[2]), j[1], Math.max(j[1], end), JOB, j[0], id, null);
            }
        });
        tracker.finish(); // tasks that never ended last to the trace's end
        // What is still held belongs to tasks whose begin is not in the file: never matched.
        deferred.forEach((task, l, list) -> droppedItems += list.size());
        deferred.clear();
        held = 0;
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
        long[] b = binsToAdd(lane);
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
                if (b == null) {
                    continue;
                }
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
        segments.see(time);
    }

    List<Lane> lanes() {
        return lanes;
    }

    /** @return the task attribute keys met so far (at most {@value #MAX_KEYS}); any thread may call */
    List<String> attributeKeys() {
        return keysSeen;
    }

    /** @return with terms, tasks decided before their end on the attributes read by then */
    long decidedEarly() {
        return decidedEarly;
    }

    /** @return with terms, spans and jobs left out: of tasks whose begin was never read */
    long droppedItems() {
        return droppedItems;
    }

    /** @return with a group-by key, the tasks in a type's lane of other values */
    long groupsFolded() {
        return groups.folded();
    }

    long firstTime() {
        return firstTime == Long.MAX_VALUE ? 0 : Math.max(0, firstTime);
    }

    /** @return the last event's time: read so far, or found by {@link #scout} */
    long lastTime() {
        long last = Math.max(lastTime, complete ? Long.MIN_VALUE : expectedLast);
        return last == Long.MIN_VALUE ? 0 : last;
    }

    /** @return the time up to which the trace is indexed ({@link #lastTime()} once complete) */
    long indexedTo() {
        return complete || indexedTo == Long.MAX_VALUE ? lastTime() : indexedTo == Long.MIN_VALUE ? firstTime()
                : indexedTo;
    }

    /**
     * @return an estimate of the bytes, not indexed yet, that hold events of {@code [from, to]}:
     *     the rest of the file spread evenly over the time not indexed yet
     */
    long unindexedBytes(long from, long to) {
        long start = indexedTo();
        long end = lastTime();
        long rest = Math.max(0, fileSize - indexedBytes);
        if (complete || rest == 0 || end <= start || to < start) {
            return 0;
        }
        double overlap = Math.min(to, end) - Math.max(from, start);
        return overlap <= 0 ? 0 : (long) (rest * (overlap / (end - start)));
    }

    long longNanos() {
        return longNanos;
    }

    long binWidth() {
        return binWidth;
    }

    /** @return the lane's overview bins (read only: all zero for a lane never busy) */
    long[] bins(int lane) {
        long[] b = bins.get(lane);
        return b == null ? NO_BINS : b;
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

    /** @return the byte ranges of the segments with an event in {@code [from, to]}: {@link SegmentTable#meeting} */
    long[][] segmentsMeeting(long from, long to) {
        return segments.meeting(from, to);
    }

    int segmentCount() {
        return segments.count();
    }
}
