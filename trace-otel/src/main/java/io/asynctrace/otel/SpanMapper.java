package io.asynctrace.otel;

import io.asynctrace.otel.Entities.JobState;
import io.asynctrace.otel.Entities.SpanState;
import io.asynctrace.otel.Entities.TaskState;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pass two of a file export: streams the trace and turns each task, with its spans and
 * logs, into OpenTelemetry spans, handed to a {@link SpanBatcher} as tasks end.
 *
 * <p><b>When a task is exported.</b> Threads' batches interleave in the file, so an event
 * of a task (a span ended on another thread, an attribute, a log) may be read after the
 * task's end. A task is therefore exported once the segment after the one holding its end
 * has been read (the recorder writes every buffer's committed events at each flush
 * interval), or at the end of the file. What still arrives later is handled, not lost: a
 * span is exported on its own under the task's ids; a log or attribute of a task already
 * exported is counted in {@link ExportResult#late()}.
 *
 * <p><b>Memory</b> is the tasks, spans and jobs open at the current point of the file,
 * the tasks ended in the last two segments — at most {@value #MAX_HELD} of them with their
 * ended spans: past that the oldest are exported before their time (a recording that ends
 * tens of thousands of tasks a second writes segments that big), ended tasks that still
 * have open children or spans, and at most {@value #RECENT} ids of exported tasks for late
 * spans — never the file. A task buffers at most {@value #MAX_BUFFERED_SPANS} ended spans (more are exported
 * early, fixing its trace id then) and {@value #MAX_EVENTS} logs (more are counted in the
 * span's total recorded events, which OTLP sends as dropped events). Not thread-safe.
 */
final class SpanMapper implements TraceHandler {
    static final int MAX_BUFFERED_SPANS = 4096;
    static final int MAX_EVENTS = 1024;
    static final int RECENT = 1 << 16;
    /** Ended tasks and their ended spans held back, at most (a few MiB). */
    static final int MAX_HELD = 1 << 15;

    private final SpanFactory factory;
    private final SpanBatcher out;
    private final RuntimeIndex runtime;
    private final Map<Long, TaskState> tasks = new HashMap<>();
    private final Map<Long, SpanState> openSpans = new HashMap<>();
    private final Map<Long, long[]> earlySpanEnds = new HashMap<>();
    private final Map<Long, JobState> openJobs = new HashMap<>();
    private final Map<Long, JobState> earlyJobs = new HashMap<>();
    private final ArrayDeque<TaskState> ended = new ArrayDeque<>();
    /** Trace ids of exported, released tasks, for spans that arrive after them. */
    private final Map<Long, String> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > RECENT;
        }
    };
    private long segment;
    /** Ended tasks waiting in {@link #ended}, plus the ended spans every unexported task holds. */
    private long held;
    private long lastTime;
    private long late;
    private long logsOutsideTasks;
    private long droppedEvents;

    SpanMapper(SpanFactory factory, SpanBatcher out, RuntimeIndex runtime) {
        this.factory = factory;
        this.out = out;
        this.runtime = runtime;
    }

    @Override
    public void onHeader(TraceHeader header) {
        factory.header(header);
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        segment++;
        while (!ended.isEmpty() && ended.peekFirst().endSegment + 2 <= segment) {
            emitTask(ended.pollFirst());
        }
    }

    @Override
    public void onThread(long thread, String name) {
        factory.threadName(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        see(time);
        TaskState t = tasks.get(task);
        if (t == null) {
            t = new TaskState(task);
            tasks.put(task, t);
        } else if (t.hasBegin) {
            return;
        }
        t.hasBegin = true;
        t.start = time;
        t.parent = parent;
        t.type = type;
        t.beginThread = thread;
        t.touch(thread, time);
        TaskState p = parent == 0 ? null : tasks.get(parent);
        if (p != null) {
            if (!p.emitted) {
                p.touch(thread, time);
            }
            if (!t.countedByParent) {
                p.openChildren++;
                t.countedByParent = true;
            }
        }
        if (t.hasEnd) {
            hold(t);
        }
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        TaskState t = tasks.get(task);
        if (t == null) {
            if (recent.containsKey(task)) {
                late++;
                return;
            }
            t = new TaskState(task);
            tasks.put(task, t);
        }
        if (t.hasEnd || t.emitted) {
            return;
        }
        t.hasEnd = true;
        t.end = time;
        t.endThread = thread;
        t.outcome = outcome;
        t.touch(thread, time);
        TaskState p = t.parent == 0 ? null : tasks.get(t.parent);
        if (p != null && !p.emitted) {
            p.touch(thread, time);
        }
        if (t.hasBegin) {
            hold(t);
        }
    }

    /** Queues an ended task for export after the next segment, exporting the oldest early past {@link #MAX_HELD}. */
    private void hold(TaskState t) {
        t.endSegment = segment;
        ended.addLast(t);
        held++;
        holdAtMost();
    }

    private void holdAtMost() {
        while (held > MAX_HELD && !ended.isEmpty()) {
            emitTask(ended.pollFirst());
        }
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        see(time);
        SpanState s = new SpanState(span);
        s.hasBegin = true;
        s.start = time;
        s.thread = thread;
        s.parent = parent;
        s.task = task;
        s.name = name;
        TaskState t = taskFor(task);
        if (t != null && !t.emitted) {
            s.taskState = t;
            t.openSpans++;
            t.touch(thread, time);
        } else if (t != null) {
            s.taskState = t; // exported, but still tracked for its open children or spans
            t.openSpans++;
        } else if (task != 0) {
            s.traceId = traceOfTask(task);
            s.parentSpanId = factory.ids().task(task);
        } else {
            SpanState up = parent == 0 ? null : openSpans.get(parent);
            s.traceId = up != null ? traceOf(up) : factory.ids().trace(span);
            s.parentSpanId = up != null ? spanIdOf(up) : null;
        }
        long[] early = earlySpanEnds.isEmpty() ? null : earlySpanEnds.remove(span);
        if (early != null) {
            spanEnded(s, early[0], early[1]);
        } else {
            openSpans.put(span, s);
        }
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        see(time);
        SpanState s = openSpans.remove(span);
        if (s == null) {
            earlySpanEnds.put(span, new long[] {time, thread});
            return;
        }
        spanEnded(s, time, thread);
    }

    private void spanEnded(SpanState s, long time, long thread) {
        s.end = time;
        s.endThread = thread;
        TaskState t = s.taskState;
        if (t == null) {
            out.add(span(s));
            return;
        }
        t.openSpans--;
        if (!t.emitted) {
            t.touch(thread, time);
            t.addSpan(s);
            held++;
            if (t.spans.size() >= MAX_BUFFERED_SPANS) {
                flushSpans(t);
            }
            holdAtMost();
        } else {
            out.add(span(s));
            release(t);
        }
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        see(time);
        TaskState t = taskFor(task);
        if (t == null || t.emitted) {
            if (task == 0) {
                logsOutsideTasks++;
            } else {
                late++;
            }
            return;
        }
        t.touch(thread, time);
        t.logCount++;
        if (t.logs == null) {
            t.logs = new ArrayList<>();
        }
        if (t.logs.size() < MAX_EVENTS) {
            t.logs.add(new LogInfo(time, thread, task, category, message));
        } else {
            droppedEvents++;
        }
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        see(time);
        if (onSpan) {
            SpanState s = openSpans.get(target);
            if (s != null) {
                s.putAttr(key, value);
            } else {
                late++;
            }
            return;
        }
        TaskState t = taskFor(target);
        if (t == null || t.emitted) {
            late++;
            return;
        }
        t.touch(thread, time);
        t.putAttr(key, value);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        see(time);
        JobState j = earlyJobs.isEmpty() ? null : earlyJobs.remove(job);
        if (j == null) {
            j = new JobState();
        }
        j.queued = time;
        TaskState t = taskFor(task);
        if (t != null && !t.emitted) {
            j.task = t;
            if (t.jobs == null) {
                t.jobs = new ArrayList<>();
            }
            t.jobs.add(j);
            t.touch(thread, time);
            if (j.started >= 0) {
                t.touch(j.runThread, j.started);
            }
        }
        if (j.finished < 0) {
            openJobs.put(job, j);
        }
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        see(time);
        JobState j = openJobs.get(job);
        if (j == null) {
            j = earlyJobs.computeIfAbsent(job, k -> new JobState());
        }
        j.started = time;
        j.runThread = thread;
        if (j.task != null && !j.task.emitted) {
            j.task.touch(thread, time);
        }
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        see(time);
        JobState j = openJobs.remove(job);
        if (j == null) {
            j = earlyJobs.computeIfAbsent(job, k -> new JobState());
        }
        j.finished = time;
        j.runThread = thread;
        if (j.task != null && !j.task.emitted) {
            j.task.touch(thread, time);
        }
    }

    /**
     * @return the state of a task an event names, created when the event comes before the
     *         task's begin in the file; null for 0 and for a task already exported and released
     */
    private TaskState taskFor(long task) {
        if (task == 0) {
            return null;
        }
        TaskState t = tasks.get(task);
        if (t == null && !recent.containsKey(task)) {
            t = new TaskState(task);
            tasks.put(task, t);
        }
        return t;
    }

    /** Exports everything still held: tasks ended lately, tasks and spans that never ended. */
    void finish() {
        for (SpanState s : new ArrayList<>(openSpans.values())) {
            s.incomplete = true;
            spanEnded(s, Math.max(s.start, lastTime), s.thread);
        }
        openSpans.clear();
        while (!ended.isEmpty()) {
            emitTask(ended.pollFirst());
        }
        for (TaskState t : new ArrayList<>(tasks.values())) {
            if (!t.emitted) {
                emitTask(t);
            }
        }
    }

    long late() {
        return late;
    }

    long logsOutsideTasks() {
        return logsOutsideTasks;
    }

    long droppedEvents() {
        return droppedEvents;
    }

    private void emitTask(TaskState t) {
        if (t.emitted) {
            return;
        }
        long end = t.hasEnd ? t.end : Math.max(t.hasBegin ? t.start : 0, lastTime);
        String trace = traceOf(t);
        String explicit = SpanIds.validTraceId(t.attr("trace.id"));
        String remoteParent = explicit == null ? null : SpanIds.validSpanId(t.attr("trace.parent_id"));
        String parent = null;
        if (remoteParent != null) {
            parent = remoteParent;
        } else if (t.parent != 0 && (explicit == null || explicit.equals(traceOfTask(t.parent)))) {
            parent = factory.ids().task(t.parent);
        }
        out.add(factory.task(t, end, trace, parent, remoteParent != null, runtime));
        flushSpans(t);
        if (t.endSegment >= 0) {
            held--; // it was in ended
        }
        t.emitted = true;
        t.logs = null;
        t.jobs = null;
        t.spanTimes = null;
        t.threads = null;
        release(t);
    }

    /** Exports the ended spans a task holds (its trace id is fixed from here on). */
    private void flushSpans(TaskState t) {
        if (t.spans == null) {
            return;
        }
        for (SpanState s : t.spans) {
            out.add(span(s));
        }
        held -= t.spans.size();
        t.spans = null;
    }

    /** Forgets an exported task once no open child or span can ask for its ids. */
    private void release(TaskState t) {
        while (t != null && t.emitted && t.openChildren == 0 && t.openSpans == 0) {
            tasks.remove(t.id);
            recent.put(t.id, traceOf(t));
            TaskState p = t.countedByParent ? tasks.get(t.parent) : null;
            if (p != null) {
                p.openChildren--;
            }
            t = p;
        }
    }

    private SpanData span(SpanState s) {
        String parent;
        if (s.parent != 0) {
            SpanState up = openSpans.get(s.parent);
            parent = up != null ? spanIdOf(up) : factory.ids().span(s.parent);
        } else {
            parent = s.taskState != null ? factory.ids().task(s.task) : s.parentSpanId;
        }
        return factory.span(s, traceOf(s), spanIdOf(s), parent);
    }

    /** @return the trace id of a task: its {@code trace.id}, else its parent's, else derived from its id; fixed once asked */
    private String traceOf(TaskState t) {
        if (t.traceId == null) {
            String explicit = SpanIds.validTraceId(t.attr("trace.id"));
            t.traceId = explicit != null ? explicit : t.parent != 0 ? traceOfTask(t.parent) : factory.ids().trace(t.id);
        }
        return t.traceId;
    }

    private String traceOfTask(long task) {
        TaskState t = tasks.get(task);
        if (t != null) {
            return traceOf(t);
        }
        String trace = recent.get(task);
        return trace != null ? trace : factory.ids().trace(task);
    }

    private String traceOf(SpanState s) {
        return s.taskState != null ? traceOf(s.taskState) : s.traceId;
    }

    /** @return the span id a span is exported with: its {@code trace.span_id} (a call it made), else derived */
    private String spanIdOf(SpanState s) {
        String given = SpanIds.validSpanId(s.attr("trace.span_id"));
        return given != null ? given : factory.ids().span(s.id);
    }

    private void see(long time) {
        if (time > lastTime) {
            lastTime = time;
        }
    }
}
