package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the view's timeline needs of a whole trace, built in one streaming pass, so
 * that windows can later be read segment by segment instead of holding the trace:
 *
 * <ul>
 *   <li>the <b>segment index</b> ({@link SegmentTable}): each segment's byte range and the
 *       times of its events;</li>
 *   <li>the <b>lanes</b> ({@link TimelineLanes}): the GC and heap tracks, one lane per
 *       thread, one per task type (and group-by group);</li>
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
 * <p>Memory: the segment index (four longs per segment), {@value #BINS} longs per lane with
 * busy time (lanes bounded: {@link TimelineLanes}), the long intervals, one entry per open
 * task, span and job and per task of the last two segments (the tracker's), with terms
 * about one bit per task id and at most {@value #MAX_HELD} intervals held for undecided
 * tasks (past that, the ended tasks still waiting for late attributes are decided first,
 * {@link #settledEarly()}; {@value #MAX_HELD_PER_TASK} per task: past that a task is
 * decided on the attributes read so far, {@link #decidedEarly()}). Not thread-safe while
 * built: readers take {@link #lock}.
 */
final class TimelineIndex implements TraceHandler {
    static final int BINS = Overview.BINS;
    static final int MAX_LONG = 50_000;
    /** Events between two offers of the lock to waiting readers, inside a segment (segments can be large). */
    static final int YIELD_EVERY = 4096;
    /** Distinct task attribute keys kept for the view's group-by selector. */
    static final int MAX_KEYS = 64;
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

    private final SegmentTable segments = new SegmentTable();
    /** The reader of the indexing pass, set by {@link #reading}: each segment records its tables. */
    private TraceReader reader;

    private final TimelineLanes lanes;
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
    /** With terms: ended tasks decided before their late attributes could come, to keep within {@value #MAX_HELD}. */
    private long settledEarly;
    /** With terms: spans and jobs of tasks whose begin was never read (or past the bounds while unknown). */
    private long droppedItems;
    private final Set<String> keys = new LinkedHashSet<>();
    /** A copy of {@link #keys} for readers on other threads (the view's selector), replaced when one is added. */
    private volatile List<String> keysSeen = List.of();

    // Long intervals.
    private long longNanos = 1_000_000;
    private final List<Item> longItems = new ArrayList<>();

    // Open intervals while building.
    private final LongMap<Object[]> openSpans = new LongMap<>(1024);
    private final LongMap<long[]> openJobs = new LongMap<>(1024);
    private long firstTime = Long.MAX_VALUE;
    private long lastTime = Long.MIN_VALUE;
    /** Events since the lock was last offered. */
    private int sinceYield;

    /**
     * Held by the thread building the index, released at each segment boundary and, when a
     * reader waits, every {@value #YIELD_EVERY} events (between two events the index is
     * whole: windows read only the segments read to their end), and by readers of the index
     * (windows) for as long as they use it: the view builds it in the background while
     * serving the part already indexed. Fair: a waiting reader gets it before the builder
     * takes it back.
     */
    final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock(true);
    /** Bytes of the file indexed so far (the offset of the segment being read). */
    volatile long indexedBytes;
    /** Whether the whole file is indexed. */
    volatile boolean complete;
    /** Why the pass failed, or null: the index holds what was read before, and is never complete. */
    volatile String failure;
    /** Set when nobody will read this index any more: the pass stops at the next segment ({@link Passes.Abandoned}). */
    volatile boolean abandoned;

    /** The trace's last event time as {@link #scout} found it in the file's last segments, or MIN_VALUE. */
    private long expectedLast = Long.MIN_VALUE;
    /** The file's size, for estimating what is not indexed yet. */
    private long fileSize;
    /**
     * Time up to which the index holds the trace: the earliest event of the last segment read
     * whole, but no later than the latest event read less the widest time range of one
     * segment read (a segment later in the file holding events as old as that would be
     * wider than any yet).
     */
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
        this.lanes = new TimelineLanes(groupBy);
    }

    /** About the bytes one {@link Item} takes, with its list slot. */
    static final int ITEM_BYTES = 72;
    /** About the bytes one open task, span or job takes while building (its map slot and state). */
    static final int OPEN_BYTES = 120;

    /**
     * @return about the bytes the index takes: its overview's bins, long intervals, items held
     *     for undecided tasks, open intervals and tracked tasks, the matching tasks' set and the
     *     segment index; as of the last segment boundary (any thread may ask)
     */
    long bytes() {
        return lanes.overview.bytes() + bytesAtSegment;
    }

    /** The part of {@link #bytes()} besides the bins, updated by the pass at each segment. */
    private volatile long bytesAtSegment;

    private long countBytes() {
        return (long) (longItems.size() + held) * ITEM_BYTES
                + (long) (openSpans.size() + openJobs.size() + tracker.pending() + deferred.size()) * OPEN_BYTES
                + (matching == null ? 0 : matching.bytes() + decidedIds.bytes()) + segments.bytes();
    }

    /** @return how many lanes there are, any thread may ask: a reader sizes its bins by it */
    int laneCount() {
        return lanes.size();
    }

    /**
     * A pass not started yet (queued behind another) knows the trace's end from the first
     * pass: its overview is sized for the whole trace and the page shows the whole time range.
     *
     * @param first the trace's first event time as known so far (0 if none)
     * @param last the trace's last event time as known so far
     * @param size the file's size
     */
    void expect(long first, long last, long size) {
        fileSize = size;
        if (last > 0 && first > 0 && first < firstTime) {
            firstTime = first;
        }
        if (last > 0 && expectedLast == Long.MIN_VALUE) {
            expectedLast = last;
            lanes.overview.bin(last);
        }
    }

    /** @return the lane of {@code thread}, made if missing (the pass's, and tests') */
    int threadLane(long thread) {
        return lanes.thread(thread);
    }

    /** Scout's hook: the lane of a type met in the file's last segments (without group-by). */
    void typeMet(String type) {
        lanes.typeMet(type);
    }

    /** @return the lane a reader puts a task in, without making one: {@link TimelineLanes#laneOf} */
    int laneOf(String type, String value) {
        return lanes.laneOf(type, value);
    }

    /** @return the lane of a thread's items, without making one: {@link TimelineLanes#threadLaneOf} */
    int threadLaneOf(long thread) {
        return lanes.threadLaneOf(thread);
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
            // The segment read whole; later ones may still hold events older than its first (threads'
            // batches are flushed at different times): held back by the widest batch seen so far.
            indexedTo = Math.max(indexedTo, segments.currentMin());
            indexedTo = Math.min(indexedTo, segments.latest() - segments.widest());
        }
        bytesAtSegment = countBytes();
        if (lock.isHeldByCurrentThread()) {
            // Let the view read what is indexed so far.
            segments.end(offset);
            indexedBytes = offset;
            lock.unlock();
            lock.lock();
        }
        if (abandoned) {
            throw new Passes.Abandoned();
        }
        tracker.segment();
        segments.start(offset, reader == null ? null : reader.tables());
    }

    @Override
    public void onThread(long thread, String name) {
        lanes.named(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        see(time);
        if (tracker.begin(time, thread, task, parent, type, earlier) != null && groupBy == null) {
            // Made now, not when the task is decided two segments on: a window read meanwhile finds it.
            lanes.typeMet(type);
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
            interval(lanes.type(t.type, groupBy == null ? null : t.attr(groupBy)), t.start, end, TASK, t.id, t.id,
                    t.ended ? t.outcome : null);
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
            if (held >= MAX_HELD) {
                // First the ended tasks waiting for late attributes (most of what is held, in a trace of
                // short tasks): decided now; a later attribute of theirs counts as late.
                settledEarly += tracker.settleEarly();
                if (decidedIds.contains(task)) {
                    if (matching.contains(task)) {
                        interval(lane, start, end, kind, task, id, label);
                    }
                    return;
                }
            }
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
            lanes.overview.max(LANE_HEAP, time, value);
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
            // From format 3 they continue the tables of the segments before them, not read: a name
            // missing stands in as "" (the pass gives the lanes their names as it meets them).
            Scan.readSegments(file, tail, TraceReader.Tables.LENIENT, new TailSegments.Scout(this));
        } catch (ToolException e) {
            return;
        }
        if (expectedLast > 0) {
            lanes.overview.bin(expectedLast); // sizes the bins once, while they are empty
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
            lanes.overview.addBusy(lane, start, end);
        }
        if (end - start >= longNanos) {
            longItems.add(new Item(lane, start, end, k, task, id, label));
            if (longItems.size() > MAX_LONG) {
                longNanos *= 2;
                longItems.removeIf(i -> i.end() - i.start() < longNanos);
            }
        }
    }

    private void see(long time) {
        if (++sinceYield >= YIELD_EVERY) {
            sinceYield = 0;
            if (lock.hasQueuedThreads() && lock.isHeldByCurrentThread()) {
                lock.unlock(); // a reader waits: it need not wait for the end of the segment
                lock.lock();
            }
        }
        if (time < firstTime) {
            firstTime = time;
        }
        if (time > lastTime) {
            lastTime = time;
        }
        segments.see(time);
    }

    List<TimelineLanes.Lane> lanes() {
        return lanes.list();
    }

    /** @return the task attribute keys met so far (at most {@value #MAX_KEYS}); any thread may call */
    List<String> attributeKeys() {
        return keysSeen;
    }

    /** @return with terms, tasks decided before their end on the attributes read by then */
    long decidedEarly() {
        return decidedEarly;
    }

    /** @return with terms, ended tasks decided before the end of their late-attribute window (bounding what is held) */
    long settledEarly() {
        return settledEarly;
    }

    /** @return attributes read after their task was decided (or of tasks never begun; complete after the pass) */
    long lateAttributes() {
        return tracker.lateAttributes();
    }

    /** @return with terms, spans and jobs left out: of tasks whose begin was never read */
    long droppedItems() {
        return droppedItems;
    }

    /** @return with a group-by key, the tasks in a type's lane of other values */
    long groupsFolded() {
        return lanes.folded();
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
        return lanes.overview.width();
    }

    /** @return the lane's overview bins (read only: all zero for a lane never busy) */
    long[] bins(int lane) {
        return lanes.overview.bins(lane);
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
