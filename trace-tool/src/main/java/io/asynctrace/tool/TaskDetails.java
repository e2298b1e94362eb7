package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pass two of {@code tasks}: streams the file again and collects, for the tasks
 * chosen by {@link TaskSelection}, their event log, spans, logs and executor jobs.
 *
 * <p>It also keeps the runtime events that {@link TaskReport} attributes to tasks
 * (blocking, socket I/O, GC pauses; see {@link RuntimeText#attributed}), but only
 * those that overlap one of the chosen tasks' windows.
 *
 * <p>Memory is the chosen tasks' events and the runtime events in their windows, plus
 * one small entry per task, span or job open at the current point of the file (and
 * per end that arrives before its begin), never proportional to the file. Not thread-safe.
 */
final class TaskDetails extends StackHandler {
    /** Stands for an open span or job of a task that was not chosen. */
    private static final Object OTHER = new Object();

    private final LongMap<TaskRecord> chosen = new LongMap<>();
    private final Map<Long, String> threadNames = new HashMap<>();
    /** Open spans: span id to its {@link SpanRecord}, or {@link #OTHER}. */
    private final LongMap<Object> openSpans = new LongMap<>(1024);
    /** Span ends that came before their begins: end time, {@code long[] {thread}}. */
    private final LongMap<long[]> earlySpanEnds = new LongMap<>();
    /** Open jobs: job id to its {@link JobRecord}, or {@link #OTHER}. */
    private final LongMap<Object> openJobs = new LongMap<>(1024);
    /** Job starts and finishes that came before the job was queued. */
    private final LongMap<JobRecord> earlyJobs = new LongMap<>();
    /** Open child tasks of chosen tasks: child id to the parent's record. */
    private final LongMap<TaskRecord> openChildren = new LongMap<>();
    private long lastTime = Long.MIN_VALUE;
    /** Where runtime events are kept, or null to keep every attributable one. */
    private final RuntimeWindows windows;
    /** The attributable runtime events in the windows, in file order. */
    final List<RuntimeInfo> runtime = new ArrayList<>();
    /** Whether the trace has any runtime event (of any kind). */
    boolean sawRuntime;

    /**
     * Collects the tasks, with every attributable runtime event (for small traces and tests).
     *
     * @param ids the tasks to collect
     */
    TaskDetails(Collection<Long> ids) {
        this(ids, null);
    }

    /**
     * @param ids the tasks to collect
     * @param windows the runtime events to keep: those meeting a window; null keeps all
     */
    TaskDetails(Collection<Long> ids, RuntimeWindows windows) {
        this.windows = windows;
        for (long id : ids) {
            chosen.put(id, 0, new TaskRecord(id));
        }
    }

    /** One line of a task's event log, with the stack it was recorded at (or null). */
    record Event(long time, long thread, String what, CallStack stack) {
    }

    /** An executor job run on behalf of a task: queued, started, finished (-1 when unknown). */
    static final class JobRecord {
        long queued = -1;
        long queuedThread;
        long started = -1;
        long startThread;
        long finished = -1;
        CallStack stack;
    }

    /** A span of a chosen task. */
    static final class SpanRecord {
        final TaskRecord task;
        final String name;
        final long thread;
        final long start;
        long end = -1;
        long endThread;
        CallStack stack;
        /** Its attributes, or null when it has none. */
        Attributes attrs;

        SpanRecord(TaskRecord task, String name, long thread, long start) {
            this.task = task;
            this.name = name;
            this.thread = thread;
            this.start = start;
        }
    }

    /** A log message of a chosen task. */
    record LogRecord(long time, long thread, String category, String message, CallStack stack) {
    }

    /** Everything collected about one chosen task. */
    static final class TaskRecord {
        final long id;
        String type = "?";
        long parent;
        long start = Long.MIN_VALUE;
        long beginThread;
        long end = -1;
        long endThread;
        CallStack stack;
        boolean hasEnd;
        String outcome;
        /** Its attributes (the value with the latest time wins), or null when it has none. */
        Attributes attrs;
        final List<Event> events = new ArrayList<>();
        final List<SpanRecord> spans = new ArrayList<>();
        final List<LogRecord> logs = new ArrayList<>();
        final List<JobRecord> jobs = new ArrayList<>();

        TaskRecord(long id) {
            this.id = id;
        }

        void event(long time, long thread, String what) {
            events.add(new Event(time, thread, what, null));
        }

        void event(long time, long thread, String what, CallStack stack) {
            events.add(new Event(time, thread, what, stack));
        }
    }

    @Override
    public void onThread(long thread, String name) {
        threadNames.put(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier,
                            CallStack stack) {
        see(time);
        TaskRecord t = chosen.get(task);
        if (t != null && t.start == Long.MIN_VALUE) {
            t.type = type;
            t.parent = parent;
            t.start = time;
            t.beginThread = thread;
            t.event(time, thread, earlier ? "task " + type + " created (before the trace saw it)" : "task " + type + " begins",
                    stack);
        }
        TaskRecord p = chosen.get(parent);
        if (p != null) {
            p.event(time, thread, "child task " + type + " #" + task + " begins", stack);
            openChildren.put(task, 0, p);
        }
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        TaskRecord t = chosen.get(task);
        if (t != null && !t.hasEnd) {
            t.hasEnd = true;
            t.end = time;
            t.endThread = thread;
            t.outcome = outcome;
            t.event(time, thread, "task ends: " + outcome);
        }
        if (!openChildren.isEmpty() && openChildren.find(task)) {
            TaskRecord p = openChildren.foundObject();
            openChildren.removeFound();
            p.event(time, thread, "child task #" + task + " ends: " + outcome);
        }
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        see(time);
        TaskRecord t = chosen.get(task);
        SpanRecord s = t == null ? null : new SpanRecord(t, name, thread, time);
        if (s != null) {
            s.stack = stack;
            t.spans.add(s);
            t.event(time, thread, "span " + name + " begins", stack);
        }
        if (!earlySpanEnds.isEmpty() && earlySpanEnds.find(span)) {
            long end = earlySpanEnds.foundLong();
            long endThread = earlySpanEnds.foundObject()[0];
            earlySpanEnds.removeFound();
            if (s != null) {
                spanEnded(s, end, endThread);
            }
            return;
        }
        openSpans.put(span, 0, s == null ? OTHER : s);
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        see(time);
        if (openSpans.find(span)) {
            Object o = openSpans.foundObject();
            openSpans.removeFound();
            if (o instanceof SpanRecord) {
                spanEnded((SpanRecord) o, time, thread);
            }
        } else {
            earlySpanEnds.put(span, time, new long[] {thread});
        }
    }

    private static void spanEnded(SpanRecord s, long time, long thread) {
        s.end = time;
        s.endThread = thread;
        s.task.event(time, thread, "span " + s.name + " ends");
    }

    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars,
                         CallStack stack) {
        onLog(time, thread, task, category, message + "… [cut from " + originalChars + " chars]", stack);
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        see(time);
        TaskRecord t = chosen.get(task);
        if (t != null) {
            t.logs.add(new LogRecord(time, thread, category, message, stack));
            t.event(time, thread, "log " + category + ": " + message, stack);
        }
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        see(time);
        if (onSpan) {
            Object o = openSpans.get(target);
            if (o instanceof SpanRecord) {
                SpanRecord s = (SpanRecord) o;
                s.task.event(time, thread, "span " + s.name + " attribute " + key + "=" + value);
                if (s.attrs == null) {
                    s.attrs = new Attributes();
                }
                s.attrs.put(key, value, time);
            }
        } else {
            TaskRecord t = chosen.get(target);
            if (t != null) {
                t.event(time, thread, "attribute " + key + "=" + value);
                if (t.attrs == null) {
                    t.attrs = new Attributes();
                }
                t.attrs.put(key, value, time);
            }
        }
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        see(time);
        TaskRecord t = chosen.get(task);
        JobRecord j = null;
        if (t != null) {
            j = new JobRecord();
            j.queued = time;
            j.queuedThread = thread;
            j.stack = stack;
            t.jobs.add(j);
            t.event(time, thread, "job #" + job + " queued", stack);
        }
        if (!earlyJobs.isEmpty() && earlyJobs.find(job)) {
            JobRecord early = earlyJobs.foundObject();
            earlyJobs.removeFound();
            if (j != null) {
                if (early.started >= 0) {
                    jobStarted(t, j, job, early.started, early.startThread);
                }
                if (early.finished >= 0) {
                    j.finished = early.finished;
                    t.event(early.finished, early.startThread, "job #" + job + " finished");
                    return;
                }
            } else if (early.finished >= 0) {
                return;
            }
        }
        openJobs.put(job, task, j == null ? OTHER : j);
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        see(time);
        if (openJobs.find(job)) {
            Object o = openJobs.foundObject();
            if (o instanceof JobRecord) {
                jobStarted(chosen.get(openJobs.foundLong()), (JobRecord) o, job, time, thread);
            }
        } else {
            JobRecord early = earlyJobs.get(job);
            if (early == null) {
                early = new JobRecord();
                earlyJobs.put(job, 0, early);
            }
            early.started = time;
            early.startThread = thread;
        }
    }

    private void jobStarted(TaskRecord t, JobRecord j, long job, long time, long thread) {
        j.started = time;
        j.startThread = thread;
        t.event(time, thread, "job #" + job + " started on " + threadName(thread) + " after waiting "
                + Durations.human(time - j.queued) + " for a thread");
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        see(time);
        if (openJobs.find(job)) {
            long task = openJobs.foundLong();
            Object o = openJobs.foundObject();
            openJobs.removeFound();
            if (o instanceof JobRecord) {
                ((JobRecord) o).finished = time;
                chosen.get(task).event(time, thread, "job #" + job + " finished");
            }
        } else {
            JobRecord early = earlyJobs.get(job);
            if (early == null) {
                early = new JobRecord();
                earlyJobs.put(job, 0, early);
            }
            early.finished = time;
            early.startThread = thread;
        }
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                          CallStack stack) {
        sawRuntime = true;
        if (RuntimeText.attributed(kind) && (windows == null || windows.overlaps(time, time + duration))) {
            runtime.add(new RuntimeInfo(time, thread, kind, duration, value, detail, stack));
        }
    }

    /** @return the thread's name as recorded, or {@code #id} ({@code JVM} for an unnamed thread 0) */
    String threadName(long thread) {
        String name = threadNames.get(thread);
        return name != null ? name : thread == 0 ? "JVM" : "#" + thread;
    }

    /** @return the last event time of the trace */
    long lastTime() {
        return lastTime;
    }

    /** @return the record of {@code id}, its event log sorted by time, or null if it was not chosen */
    TaskRecord record(long id) {
        TaskRecord t = chosen.get(id);
        if (t != null) {
            t.events.sort(Comparator.comparingLong(Event::time));
        }
        return t;
    }

    private void see(long time) {
        if (time > lastTime) {
            lastTime = time;
        }
    }
}
