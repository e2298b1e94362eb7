package io.asynctrace.tool;

import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams a trace into Chrome Trace Event JSON, which Perfetto UI and
 * {@code chrome://tracing} open.
 *
 * <ul>
 *   <li>a span that begins and ends on one thread is a complete event ({@code X}) on
 *       that thread's track; a span that ends on another thread is an async pair
 *       ({@code b}/{@code e}, category {@code span});</li>
 *   <li>each task is an async pair ({@code b}/{@code e}, category {@code task}, the
 *       task id as id, the type as name);</li>
 *   <li>logs are thread-scoped instant events ({@code i}) named by category;</li>
 *   <li>a job's queued → started hop is a flow arrow ({@code s}/{@code f}, category
 *       {@code job}) from a zero-length {@code enqueue} slice to the job's {@code X}
 *       slice on the thread that ran it;</li>
 *   <li>JVM runtime events: a GC pause is an {@code X} slice (category {@code gc}) on
 *       the JVM's track (thread 0, named {@code JVM}); heap used after GC is a counter
 *       ({@code C}, name {@code heap}, {@code args.used_bytes}); park, monitor enter,
 *       sleep, pinning and socket reads and writes are {@code X} slices (category
 *       {@code runtime}) on their thread's track; thread start/end are thread-scoped
 *       instants, and data loss or unavailability global instants ({@code s: "g"});</li>
 *   <li>thread names are {@code thread_name} metadata.</li>
 * </ul>
 * Timestamps are microseconds since the trace base, with nanosecond decimals.
 *
 * <p>Output rolls over to a new part once a part reaches its byte budget (see
 * {@link PartWriter}); each part is a complete JSON document that repeats the thread
 * names and re-begins the tasks still open. Memory is bounded by the open tasks,
 * spans and jobs.
 */
final class PerfettoExporter implements TraceHandler {
    private static final int PID = 1;

    private final PartWriter parts;
    private final String title;
    private JsonWriter j;
    private final Map<Long, String> threads = new LinkedHashMap<>();
    private final LongMap<String[]> openTasks = new LongMap<>(1024);
    private final LongMap<SpanOpen> openSpans = new LongMap<>(1024);
    private final LongMap<long[]> earlySpanEnds = new LongMap<>();
    private final LongMap<Object> runningJobs = new LongMap<>();
    long written;

    private record SpanOpen(String name, long thread, long start, long task) {
    }

    /**
     * @param out the first part's path
     * @param maxBytes the byte budget of one part
     * @param title shown as the process name
     */
    PerfettoExporter(Path out, long maxBytes, String title) {
        this.parts = new PartWriter(out, maxBytes);
        this.title = title;
        open();
    }

    private void open() {
        try {
            j = new JsonWriter(parts.next());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        j.beginObject().field("displayTimeUnit", "ns");
        j.name("otherData").beginObject().field("source", "asynctrace").field("part", parts.count()).endObject();
        j.name("traceEvents").beginArray();
        j.beginObject().field("ph", "M").field("name", "process_name").field("pid", PID).field("tid", 0);
        j.name("args").beginObject().field("name", title).endObject().endObject();
        for (Map.Entry<Long, String> t : threads.entrySet()) {
            threadName(t.getKey(), t.getValue());
        }
        openTasks.forEach((id, start, v) -> taskBegin(start, Long.parseLong(v[1]), id, v[0], v[2]));
    }

    /** Called after each event: rolls to a new part once this one is over budget. */
    private void maybeRoll() {
        written++;
        if (parts.full()) {
            closePart();
            open();
        }
    }

    private void closePart() {
        j.endArray().endObject();
        j.flush();
        try {
            parts.closeCurrent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the output; spans still open are not written. @return the parts written */
    List<Path> finish() {
        closePart();
        return parts.paths();
    }

    /** Closes and deletes the parts written so far, after a failed read. */
    void abort() {
        try {
            parts.closeCurrent();
            for (Path p : parts.paths()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Best effort: the read error is what the user needs to see.
        }
    }

    private void threadName(long thread, String name) {
        j.beginObject().field("ph", "M").field("name", "thread_name").field("pid", PID).field("tid", thread);
        j.name("args").beginObject().field("name", name).endObject().endObject();
    }

    private JsonWriter event(String ph, String name, String cat, long time, long thread) {
        j.beginObject().field("ph", ph).field("name", name);
        if (cat != null) {
            j.field("cat", cat);
        }
        return j.name("ts").raw(micros(time)).field("pid", PID).field("tid", thread);
    }

    static String micros(long nanos) {
        long abs = Math.abs(nanos);
        long frac = abs % 1000;
        String f = frac < 10 ? "00" + frac : frac < 100 ? "0" + frac : Long.toString(frac);
        return (nanos < 0 ? "-" : "") + (abs / 1000) + "." + f;
    }

    private void taskBegin(long time, long thread, long task, String type, String parent) {
        event("b", type, "task", time, thread).field("id", Long.toHexString(task));
        j.name("args").beginObject().field("task", task);
        if (parent != null) {
            j.field("parent", Long.parseLong(parent));
        }
        j.endObject().endObject();
    }

    @Override
    public void onThread(long thread, String name) {
        if (!name.equals(threads.put(thread, name))) {
            threadName(thread, name);
            maybeRoll();
        }
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        String p = parent == 0 ? null : Long.toString(parent);
        openTasks.put(task, time, new String[] {type, Long.toString(thread), p});
        taskBegin(time, thread, task, type, p);
        maybeRoll();
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        String type = "task";
        if (openTasks.find(task)) {
            type = openTasks.foundObject()[0];
            openTasks.removeFound();
        }
        event("e", type, "task", time, thread).field("id", Long.toHexString(task));
        j.name("args").beginObject().field("outcome", outcome).endObject().endObject();
        maybeRoll();
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        if (!earlySpanEnds.isEmpty() && earlySpanEnds.find(span)) {
            long end = earlySpanEnds.foundLong();
            long endThread = earlySpanEnds.foundObject()[0];
            earlySpanEnds.removeFound();
            span(new SpanOpen(name, thread, time, task), span, end, endThread);
            return;
        }
        openSpans.put(span, 0, new SpanOpen(name, thread, time, task));
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        if (openSpans.find(span)) {
            SpanOpen s = openSpans.foundObject();
            openSpans.removeFound();
            span(s, span, time, thread);
        } else {
            earlySpanEnds.put(span, time, new long[] {thread});
        }
    }

    private void span(SpanOpen s, long id, long end, long endThread) {
        if (endThread == s.thread()) {
            event("X", s.name(), "span", s.start(), s.thread()).name("dur").raw(micros(end - s.start()));
            j.name("args").beginObject().field("task", s.task()).endObject().endObject();
        } else {
            String hex = "s" + Long.toHexString(id);
            event("b", s.name(), "span", s.start(), s.thread()).field("id", hex);
            j.name("args").beginObject().field("task", s.task()).endObject().endObject();
            event("e", s.name(), "span", end, endThread).field("id", hex).endObject();
        }
        maybeRoll();
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        event("i", category, "log", time, thread).field("s", "t");
        j.name("args").beginObject().field("message", message).field("task", task).endObject().endObject();
        maybeRoll();
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        event("X", "enqueue", "job", time, thread).name("dur").raw("0.000");
        j.name("args").beginObject().field("job", job).field("task", task).endObject().endObject();
        event("s", "queued", "job", time, thread).field("id", job).endObject();
        maybeRoll();
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        runningJobs.put(job, time, null);
        maybeRoll();
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        if (runningJobs.find(job)) {
            long start = runningJobs.foundLong();
            runningJobs.removeFound();
            event("X", "job", "job", start, thread).name("dur").raw(micros(time - start));
            j.name("args").beginObject().field("job", job).endObject().endObject();
            event("f", "queued", "job", start, thread).field("id", job).field("bp", "e").endObject();
        }
        maybeRoll();
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        if (RuntimeText.jvmWide(kind) && !threads.containsKey(thread)) {
            onThread(thread, "JVM");
        }
        switch (kind) {
            case GC_PAUSE:
                event("X", "GC pause", "gc", time, thread).name("dur").raw(micros(duration));
                j.name("args").beginObject().field("gc_id", value).field("name", detail).endObject().endObject();
                break;
            case HEAP_AFTER_GC:
                event("C", "heap", "gc", time, thread);
                j.name("args").beginObject().field("used_bytes", value).endObject().endObject();
                break;
            case DATA_LOSS:
            case UNAVAILABLE:
                event("i", kind == RuntimeKind.DATA_LOSS ? "runtime data loss" : "runtime events unavailable",
                        "runtime", time, thread).field("s", "g");
                j.name("args").beginObject().field("value", value).field("reason", detail).endObject().endObject();
                break;
            case THREAD_START:
            case THREAD_END:
            case UNKNOWN:
                event("i", kind == RuntimeKind.THREAD_START ? "thread start" : kind == RuntimeKind.THREAD_END
                        ? "thread end" : "runtime event", "runtime", time, thread).field("s", "t");
                j.name("args").beginObject().field("detail", detail).endObject().endObject();
                break;
            default:
                event("X", sliceName(kind), "runtime", time, thread).name("dur").raw(micros(duration));
                j.name("args").beginObject().field("detail", detail);
                if (RuntimeText.socket(kind)) {
                    j.field("bytes", value);
                }
                j.endObject().endObject();
                break;
        }
        maybeRoll();
    }

    private static String sliceName(RuntimeKind kind) {
        switch (kind) {
            case THREAD_PARK: return "park";
            case MONITOR_ENTER: return "monitor enter";
            case SOCKET_READ: return "socket read";
            case SOCKET_WRITE: return "socket write";
            case THREAD_SLEEP: return "sleep";
            case VIRTUAL_THREAD_PINNED: return "pinned";
            default: return RuntimeText.name(kind);
        }
    }

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        event("i", "misuse " + kind, "misuse", time, thread).field("s", "t");
        j.name("args").beginObject().field("id", id).endObject().endObject();
        maybeRoll();
    }
}
