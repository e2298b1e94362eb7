package io.asynctrace.reader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole trace in memory: its tasks, spans, logs, jobs, threads, drops and misuse,
 * with begins and ends paired whatever order they arrived in.
 *
 * <p>For tests and small traces. It holds every entity, so its memory grows with the
 * trace; for large files write a {@link TraceHandler} that keeps only what it needs.
 *
 * <pre>{@code
 * TraceModel model = TraceModel.read(Path.of("app.trace"));
 * for (TaskInfo t : model.tasks()) System.out.println(t.type() + " " + t.duration());
 * }</pre>
 */
public final class TraceModel implements TraceHandler {
    private TraceHeader header;
    private final Map<Long, TaskInfo> tasks = new LinkedHashMap<>();
    private final Map<Long, SpanInfo> spans = new LinkedHashMap<>();
    private final Map<Long, JobInfo> jobs = new LinkedHashMap<>();
    private final Map<Long, String> threads = new LinkedHashMap<>();
    private final List<LogInfo> logs = new ArrayList<>();
    private final List<MisuseInfo> misuses = new ArrayList<>();
    private final List<RuntimeInfo> runtime = new ArrayList<>();
    private long dropped;
    private long events;
    private boolean truncated;
    private long truncatedAt = -1;
    private boolean complete;

    private TraceModel() {
    }

    /**
     * @param file a trace file
     * @return the whole trace
     * @throws CorruptTraceException if the file is not a valid trace
     * @throws IOException if reading fails
     */
    public static TraceModel read(Path file) throws IOException {
        try (TraceReader reader = TraceReader.open(file)) {
            return read(reader);
        }
    }

    /**
     * @param in trace bytes; not closed
     * @return the whole trace
     * @throws CorruptTraceException if the input is not a valid trace
     * @throws IOException if reading fails
     */
    public static TraceModel read(InputStream in) throws IOException {
        return read(new TraceReader(in));
    }

    private static TraceModel read(TraceReader reader) throws IOException {
        TraceModel m = new TraceModel();
        reader.read(m);
        m.truncated = reader.truncated();
        m.truncatedAt = reader.truncatedAt();
        m.complete = reader.complete();
        m.dropped = reader.dropped();
        m.events = reader.events();
        return m;
    }

    @Override
    public void onHeader(TraceHeader h) {
        header = h;
    }

    @Override
    public void onThread(long thread, String name) {
        threads.put(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        onTaskBegin(time, thread, task, parent, type, earlier, null);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier,
                            CallStack stack) {
        TaskInfo t = tasks.computeIfAbsent(task, TaskInfo::new);
        if (t.hasStart) {
            return; // a task mentioned twice before the recording saw its begin
        }
        t.hasStart = true;
        t.start = time;
        t.parentId = parent;
        t.type = type;
        t.startedBeforeTrace = earlier;
        t.beginThread = thread;
        t.stack = stack;
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        TaskInfo t = tasks.computeIfAbsent(task, TaskInfo::new);
        if (!t.hasEnd) {
            t.hasEnd = true;
            t.end = time;
            t.endThread = thread;
            t.outcome = outcome;
        }
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        onSpanBegin(time, thread, span, parent, task, name, null);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        SpanInfo s = spans.computeIfAbsent(span, SpanInfo::new);
        s.stack = stack;
        s.hasStart = true;
        s.start = time;
        s.startThread = thread;
        s.parentId = parent;
        s.taskId = task;
        s.name = name;
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        SpanInfo s = spans.computeIfAbsent(span, SpanInfo::new);
        s.hasEnd = true;
        s.end = time;
        s.endThread = thread;
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        onLog(time, thread, task, category, message, null);
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        logs.add(new LogInfo(time, thread, task, category, message, stack));
    }

    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars,
                         CallStack stack) {
        onLog(time, thread, task, category, message + "… [cut from " + originalChars + " chars]", stack);
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        if (onSpan) {
            spans.computeIfAbsent(target, SpanInfo::new).attributes.put(key, value);
        } else {
            tasks.computeIfAbsent(target, TaskInfo::new).attributes.put(key, value);
        }
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        onJobQueued(time, thread, job, task, null);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        JobInfo j = jobs.computeIfAbsent(job, JobInfo::new);
        j.queuedStack = stack;
        j.hasQueued = true;
        j.queued = time;
        j.queuedThread = thread;
        j.taskId = task;
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        JobInfo j = jobs.computeIfAbsent(job, JobInfo::new);
        j.hasStarted = true;
        j.started = time;
        j.runThread = thread;
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        JobInfo j = jobs.computeIfAbsent(job, JobInfo::new);
        j.hasFinished = true;
        j.finished = time;
        j.runThread = thread;
    }

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        misuses.add(new MisuseInfo(time, thread, kind, id));
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        onRuntime(time, thread, kind, duration, value, detail, null);
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                          CallStack stack) {
        runtime.add(new RuntimeInfo(time, thread, kind, duration, value, detail, stack));
    }

    /** @return every JVM runtime event, in file order */
    public List<RuntimeInfo> runtime() {
        return Collections.unmodifiableList(runtime);
    }

    /** @return the file header */
    public TraceHeader header() {
        return header;
    }

    /** @return every task, in the order first mentioned */
    public Collection<TaskInfo> tasks() {
        return Collections.unmodifiableCollection(tasks.values());
    }

    /**
     * @param id a task id
     * @return the task, or null
     */
    public TaskInfo task(long id) {
        return tasks.get(id);
    }

    /** @return every span, in the order first mentioned */
    public Collection<SpanInfo> spans() {
        return Collections.unmodifiableCollection(spans.values());
    }

    /**
     * @param id a span id
     * @return the span, or null
     */
    public SpanInfo span(long id) {
        return spans.get(id);
    }

    /** @return every job */
    public Collection<JobInfo> jobs() {
        return Collections.unmodifiableCollection(jobs.values());
    }

    /** @return every log message, in file order */
    public List<LogInfo> logs() {
        return Collections.unmodifiableList(logs);
    }

    /** @return thread names by thread id */
    public Map<Long, String> threads() {
        return Collections.unmodifiableMap(threads);
    }

    /** @return every recorded misuse */
    public List<MisuseInfo> misuses() {
        return Collections.unmodifiableList(misuses);
    }

    /** @return events the recorder dropped */
    public long dropped() {
        return dropped;
    }

    /** @return events read */
    public long events() {
        return events;
    }

    /** @return whether the file ended early */
    public boolean truncated() {
        return truncated;
    }

    /** @return where the file ended early, or -1 */
    public long truncatedAt() {
        return truncatedAt;
    }

    /** @return whether the recording was stopped cleanly */
    public boolean complete() {
        return complete;
    }
}
