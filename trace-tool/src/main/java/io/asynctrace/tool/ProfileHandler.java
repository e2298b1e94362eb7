package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one streaming pass of {@code asynctrace profile}: turns the events of one
 * {@link ProfileKind} into samples for a {@link PprofBuilder}, each tied to the task it
 * worked for (its type is a label; {@code --type}, {@code --id} and {@code --where}
 * select by it).
 *
 * <p>Which task a sample belongs to: a span's or a job's own task; for a JVM runtime
 * event, the task that was running on its thread when it began — the innermost of the
 * task's jobs (started → finished), its spans begun and ended there, and its own
 * begin → end on one thread, as {@code tasks} counts them. JFR delivers runtime events
 * about a second late, so each thread keeps its last {@value #RECENT} closed intervals
 * besides the open ones, and ended tasks are remembered ({@value #RECENT_TASKS} of
 * them) for samples that arrive after the end. A sample whose task cannot be found
 * this way has task type {@code ?}; with a task filter it is left out and counted
 * ({@link #unattributed}). A sample outside any task (a thread waiting while no task ran
 * on it: idle pool threads, the JVM's own; a detached span; a job of no task) is left out
 * and counted ({@link #outside}) unless {@code --outside-tasks} asks for it. With {@code --where} ({@link FilteredHandler} in front of
 * this handler passes only the matching tasks' events), a sample counts only for a task
 * whose begin it saw.
 *
 * <p>Memory: the open tasks, spans and jobs and their pending samples, those bounded
 * histories (of the threads at work: past {@value #MAX_LANES} threads the longest idle
 * are forgotten), and the aggregated profile; never proportional to the file. Not thread-safe.
 */
final class ProfileHandler implements TraceHandler {
    static final int RECENT = 64;
    static final int RECENT_TASKS = 1 << 16;
    /** Threads whose history is kept at least; past them the longest idle are forgotten. */
    static final int MAX_LANES = 1 << 12;
    private static final int MAX_OPEN = 64;
    private static final int FORGOTTEN_BITS = 1 << 20;

    private final ProfileKind kind;
    private final String type;
    private final long id;
    private final boolean filtering;
    private final boolean outsideTasks;
    private final PprofBuilder out;

    private final Map<Long, String> threadNames = new HashMap<>();
    private final LongMap<TaskState> openTasks = new LongMap<>(1024);
    private final LongMap<TaskState> endedTasks = new LongMap<>(1024);
    private final long[] endedOrder = new long[RECENT_TASKS];
    private int endedNext;
    private final Map<Long, Lane> lanes = new HashMap<>();
    /** How many lanes before the next {@link #forgetIdleLanes}. */
    private int lanesSweepAt = MAX_LANES;
    /** The last activity of the lanes forgotten so far: a later thread without a lane was surely idle. */
    private long forgottenBefore = Long.MIN_VALUE;
    /** The threads whose lanes were forgotten, hashed into bits (a set bit may stand for another thread); or null. */
    private long[] forgottenThreads;
    /** Queued jobs: job id to task id, and for {@code sched} the queueing. */
    private final LongMap<Pending> openJobs = new LongMap<>(1024);
    /** Jobs started before their queueing was read: job id to start time. */
    private final LongMap<Object> earlyStarts = new LongMap<>();
    private final LongMap<Pending> openSpans = new LongMap<>(1024);
    private final LongMap<Object> earlySpanEnds = new LongMap<>();

    /** Events of the kind that carried no stack. */
    long withoutStack;
    /**
     * Samples left out because their task could not be found: with a task filter, or
     * because their thread's history was forgotten (a runtime event that came later than
     * the last {@value #MAX_LANES} threads' work; one in a handful of the JVM's own threads'
     * samples may be taken for one, as forgotten threads are kept as hashed bits).
     */
    long unattributed;
    /** Samples left out because no task was running (without {@code --outside-tasks}), and their time. */
    long outside;
    long outsideNanos;
    /** Whether the trace has runtime events at all, and asynctrace events with stacks. */
    boolean sawRuntime;
    boolean sawOwnStacks;
    long firstTime = Long.MAX_VALUE;
    long lastTime = Long.MIN_VALUE;

    /** A task while open or recently ended: its type, whether it passes --type and --id, the thread it began on. */
    private record TaskState(String type, boolean matches, long beginThread) {
    }

    /** An event waiting for its end: a span, a queued job. */
    private static final class Pending {
        final long time;
        final long thread;
        final long task;
        final CallStack stack;

        Pending(long time, long thread, long task, CallStack stack) {
            this.time = time;
            this.thread = thread;
            this.task = task;
            this.stack = stack;
        }
    }

    /**
     * One thread's intervals of task work: open ones, and the last {@value #RECENT} closed.
     * Its arrays start small and grow: a virtual thread runs a task or two.
     */
    private static final class Lane {
        long[] openId = new long[2];
        long[] openTask = new long[2];
        long[] openFrom = new long[2];
        int open;
        long[] task = new long[2];
        long[] from = new long[2];
        long[] to = new long[2];
        int closed;
        int next;
        /** The time of the last interval begun or closed here. */
        long lastActivity;

        void push(long id, long taskId, long time) {
            lastActivity = Math.max(lastActivity, time);
            if (open == MAX_OPEN) { // an interval that ended elsewhere never closes here: forget the oldest
                removeOpen(0);
            }
            if (open == openId.length) {
                int n = Math.min(MAX_OPEN, open * 2);
                openId = Arrays.copyOf(openId, n);
                openTask = Arrays.copyOf(openTask, n);
                openFrom = Arrays.copyOf(openFrom, n);
            }
            openId[open] = id;
            openTask[open] = taskId;
            openFrom[open] = time;
            open++;
        }

        void close(long id, long time) {
            lastActivity = Math.max(lastActivity, time);
            for (int i = open - 1; i >= 0; i--) {
                if (openId[i] == id) {
                    if (closed == task.length && closed < RECENT) { // grow the ring while it is not yet full
                        int n = Math.min(RECENT, closed * 2);
                        task = Arrays.copyOf(task, n);
                        from = Arrays.copyOf(from, n);
                        to = Arrays.copyOf(to, n);
                        next = closed;
                    }
                    task[next] = openTask[i];
                    from[next] = openFrom[i];
                    to[next] = time;
                    next = (next + 1) % task.length;
                    closed = Math.min(closed + 1, task.length);
                    removeOpen(i);
                    return;
                }
            }
        }

        /** Forgets an open interval without closing it. */
        void discard(long id) {
            for (int i = open - 1; i >= 0; i--) {
                if (openId[i] == id) {
                    removeOpen(i);
                    return;
                }
            }
        }

        private void removeOpen(int i) {
            System.arraycopy(openId, i + 1, openId, i, open - i - 1);
            System.arraycopy(openTask, i + 1, openTask, i, open - i - 1);
            System.arraycopy(openFrom, i + 1, openFrom, i, open - i - 1);
            open--;
        }

        /** @return the task of the innermost interval containing {@code time}, or 0 */
        long taskAt(long time) {
            long best = 0;
            long bestFrom = Long.MIN_VALUE;
            for (int i = 0; i < open; i++) {
                if (openFrom[i] <= time && openFrom[i] >= bestFrom && openTask[i] != 0) {
                    best = openTask[i];
                    bestFrom = openFrom[i];
                }
            }
            for (int i = 0; i < closed; i++) {
                if (from[i] <= time && time < to[i] && from[i] >= bestFrom && task[i] != 0) {
                    best = task[i];
                    bestFrom = from[i];
                }
            }
            return best;
        }
    }

    /**
     * @param kind the profile's kind
     * @param type only tasks of this type, or null
     * @param id only this task, or 0
     * @param attributeTerms whether {@code --where} has terms (only matching tasks' events arrive)
     * @param outsideTasks whether samples outside any task are kept too (without a filter)
     * @param out receives the samples
     */
    ProfileHandler(ProfileKind kind, String type, long id, boolean attributeTerms, boolean outsideTasks,
                   PprofBuilder out) {
        this.kind = kind;
        this.type = type;
        this.id = id;
        this.filtering = type != null || id != 0 || attributeTerms;
        this.outsideTasks = outsideTasks && !filtering;
        this.out = out;
    }

    @Override
    public void onThread(long thread, String name) {
        threadNames.put(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier,
                            CallStack stack) {
        see(time);
        sawOwnStacks |= stack != null;
        if (!openTasks.find(task)) {
            openTasks.put(task, 0, new TaskState(type, (id == 0 || task == id) && (this.type == null
                    || this.type.equals(type)), earlier ? -1 : thread));
        }
        if (!earlier) {
            lane(thread).push(task, task, time);
        }
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        if (!openTasks.find(task)) {
            lane(thread).close(task, time);
            return;
        }
        TaskState t = openTasks.foundObject();
        openTasks.removeFound();
        if (t.beginThread() == thread) {
            lane(thread).close(task, time);
        } else if (t.beginThread() >= 0) {
            lane(t.beginThread()).discard(task); // begun and ended on two threads: not an interval of either
        }
        long evicted = endedOrder[endedNext];
        if (evicted != 0) {
            endedTasks.remove(evicted);
        }
        endedOrder[endedNext] = task;
        endedNext = (endedNext + 1) % RECENT_TASKS;
        endedTasks.put(task, 0, t);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        see(time);
        sawOwnStacks |= stack != null;
        lane(thread).push(span, task, time);
        if (kind != ProfileKind.SPANS) {
            return;
        }
        if (earlySpanEnds.find(span)) {
            long end = earlySpanEnds.foundLong();
            earlySpanEnds.removeFound();
            sample(stack, end - time, task, thread);
        } else {
            openSpans.put(span, 0, new Pending(time, thread, task, stack));
        }
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        see(time);
        lane(thread).close(span, time);
        if (kind != ProfileKind.SPANS) {
            return;
        }
        if (openSpans.find(span)) {
            Pending p = openSpans.foundObject();
            openSpans.removeFound();
            sample(p.stack, time - p.time, p.task, p.thread);
        } else {
            earlySpanEnds.put(span, time, null);
        }
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        see(time);
        sawOwnStacks |= stack != null;
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        see(time);
        sawOwnStacks |= stack != null;
        if (earlyStarts.find(job)) {
            long started = earlyStarts.foundLong();
            earlyStarts.removeFound();
            if (kind == ProfileKind.SCHED) {
                sample(stack, started - time, task, thread);
            }
            return;
        }
        openJobs.put(job, task, kind == ProfileKind.SCHED ? new Pending(time, thread, task, stack) : null);
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        see(time);
        long task = 0;
        if (openJobs.find(job)) {
            task = openJobs.foundLong();
            Pending p = openJobs.foundObject();
            openJobs.removeFound();
            if (p != null) {
                sample(p.stack, time - p.time, p.task, p.thread);
            }
        } else if (kind == ProfileKind.SCHED) {
            earlyStarts.put(job, time, null);
        }
        lane(thread).push(job, task, time);
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        see(time);
        lane(thread).close(job, time);
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                          CallStack stack) {
        sawRuntime = true;
        if (this.kind.takes(kind)) {
            see(time);
            see(time + duration);
            Lane lane = lanes.get(thread);
            if (lane == null && time < forgottenBefore && stack != null && forgotten(thread)) {
                unattributed++; // its thread may have run a task then, whose history is forgotten
                return;
            }
            sample(stack, duration, lane == null ? 0 : lane.taskAt(time), thread);
        }
    }

    private void sample(CallStack stack, long nanos, long task, long thread) {
        if (stack == null) {
            withoutStack++;
            return;
        }
        if (task == 0) {
            if (outsideTasks) {
                add(stack, nanos, null, thread);
            } else {
                outside++;
                outsideNanos += Math.max(0, nanos);
            }
            return;
        }
        TaskState t = openTasks.get(task);
        if (t == null) {
            t = endedTasks.get(task);
        }
        if (t == null) {
            if (filtering) {
                unattributed++;
            } else {
                add(stack, nanos, "?", thread); // a task whose begin is not in the file (or came too late)
            }
            return;
        }
        if (t.matches()) {
            add(stack, nanos, t.type(), thread);
        }
    }

    private void add(CallStack stack, long nanos, String taskType, long thread) {
        out.add(stack, nanos, taskType, threadName(thread));
    }

    private String threadName(long thread) {
        String name = threadNames.get(thread);
        return name != null ? name : thread == 0 ? "JVM" : "#" + thread;
    }

    private Lane lane(long thread) {
        Lane lane = lanes.get(thread);
        if (lane == null) {
            if (lanes.size() >= lanesSweepAt) {
                forgetIdleLanes();
            }
            lane = new Lane();
            lanes.put(thread, lane);
        }
        return lane;
    }

    /**
     * Keeps memory to the threads at work, not every thread the trace ever had (a virtual
     * thread per request makes millions): forgets the older half of the lanes with no open
     * interval, by their last activity, and those threads' names.
     */
    private void forgetIdleLanes() {
        List<Map.Entry<Long, Lane>> idle = new ArrayList<>();
        for (Map.Entry<Long, Lane> e : lanes.entrySet()) {
            if (e.getValue().open == 0) {
                idle.add(e);
            }
        }
        idle.sort(Comparator.comparingLong(e -> e.getValue().lastActivity));
        for (Map.Entry<Long, Lane> e : idle.subList(0, (idle.size() + 1) / 2)) {
            forgottenBefore = Math.max(forgottenBefore, e.getValue().lastActivity);
            if (forgottenThreads == null) {
                forgottenThreads = new long[FORGOTTEN_BITS / 64];
            }
            int bit = forgottenBit(e.getKey());
            forgottenThreads[bit >>> 6] |= 1L << bit;
            lanes.remove(e.getKey());
            threadNames.remove(e.getKey());
        }
        if (threadNames.size() > 4 * MAX_LANES) {
            threadNames.keySet().retainAll(lanes.keySet()); // threads that never ran task work: logs, queueing
        }
        lanesSweepAt = Math.max(MAX_LANES, lanes.size() + MAX_LANES / 2);
    }

    /** @return whether {@code thread}'s lane may have been forgotten */
    private boolean forgotten(long thread) {
        int bit = forgottenBit(thread);
        return forgottenThreads != null && (forgottenThreads[bit >>> 6] & 1L << bit) != 0;
    }

    private static int forgottenBit(long thread) {
        long h = thread * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 64 - 20); // FORGOTTEN_BITS = 1 << 20
    }

    /** @return how many threads' histories are kept (for tests of bounded memory) */
    int lanes() {
        return lanes.size();
    }

    private void see(long time) {
        firstTime = Math.min(firstTime, time);
        lastTime = Math.max(lastTime, time);
    }
}
