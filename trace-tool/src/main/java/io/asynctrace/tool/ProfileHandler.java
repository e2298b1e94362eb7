package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import java.util.HashMap;
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
 * histories, and the aggregated profile; never proportional to the file. Not thread-safe.
 */
final class ProfileHandler implements TraceHandler {
    static final int RECENT = 64;
    static final int RECENT_TASKS = 1 << 16;
    private static final int MAX_OPEN = 64;

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
    /** Queued jobs: job id to task id, and for {@code sched} the queueing. */
    private final LongMap<Pending> openJobs = new LongMap<>(1024);
    /** Jobs started before their queueing was read: job id to start time. */
    private final LongMap<Object> earlyStarts = new LongMap<>();
    private final LongMap<Pending> openSpans = new LongMap<>(1024);
    private final LongMap<Object> earlySpanEnds = new LongMap<>();

    /** Events of the kind that carried no stack. */
    long withoutStack;
    /** Samples left out with a task filter because their task could not be found. */
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

    /** One thread's intervals of task work: open ones, and the last {@value #RECENT} closed. */
    private static final class Lane {
        final long[] openId = new long[MAX_OPEN];
        final long[] openTask = new long[MAX_OPEN];
        final long[] openFrom = new long[MAX_OPEN];
        int open;
        final long[] task = new long[RECENT];
        final long[] from = new long[RECENT];
        final long[] to = new long[RECENT];
        int closed;
        int next;

        void push(long id, long taskId, long time) {
            if (open == MAX_OPEN) { // an interval that ended elsewhere never closes here: forget the oldest
                System.arraycopy(openId, 1, openId, 0, open - 1);
                System.arraycopy(openTask, 1, openTask, 0, open - 1);
                System.arraycopy(openFrom, 1, openFrom, 0, open - 1);
                open--;
            }
            openId[open] = id;
            openTask[open] = taskId;
            openFrom[open] = time;
            open++;
        }

        void close(long id, long time) {
            for (int i = open - 1; i >= 0; i--) {
                if (openId[i] == id) {
                    task[next] = openTask[i];
                    from[next] = openFrom[i];
                    to[next] = time;
                    next = (next + 1) % RECENT;
                    closed = Math.min(closed + 1, RECENT);
                    System.arraycopy(openId, i + 1, openId, i, open - i - 1);
                    System.arraycopy(openTask, i + 1, openTask, i, open - i - 1);
                    System.arraycopy(openFrom, i + 1, openFrom, i, open - i - 1);
                    open--;
                    return;
                }
            }
        }

        /** Forgets an open interval without closing it. */
        void discard(long id) {
            for (int i = open - 1; i >= 0; i--) {
                if (openId[i] == id) {
                    System.arraycopy(openId, i + 1, openId, i, open - i - 1);
                    System.arraycopy(openTask, i + 1, openTask, i, open - i - 1);
                    System.arraycopy(openFrom, i + 1, openFrom, i, open - i - 1);
                    open--;
                    return;
                }
            }
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
        return lanes.computeIfAbsent(thread, t -> new Lane());
    }

    private void see(long time) {
        firstTime = Math.min(firstTime, time);
        lastTime = Math.max(lastTime, time);
    }
}
