package io.asynctrace.otel;

import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The live exporter's reading of one recording's trace as it is written: each task whose
 * begin and end were both read becomes one span, with the ids, times, parent and status the
 * file export gives it ({@link SpanMapper}, {@link SpanFactory}), its attributes, and its
 * end thread; its spans, logs and breakdown are left to the file export.
 *
 * <p>A task is handed on as its end is read when its begin (with the attributes recorded
 * right after it, such as {@code trace.id}) and its parent's were read before, the usual
 * case. A task begun before the trace did (the exporter was attached to a running recording)
 * comes with its begin repeated, followed by the attributes recorded on it so far (the
 * {@code trace.id} it joined among them; trace-core keeps 16 keys for that), so it is sent
 * like the others, into the trace it joined, and counted. Threads' batches interleave, so an end may come before them: such a task waits until
 * the segment after the one that completed it has been read, or no segment came for a while
 * ({@link #idle}: the writer found nothing more at its flushes), or the trace ends; at most
 * {@value #MAX_WAITING} wait (past that the oldest go early). Attributes read after a task
 * was sent, or before anything else of it, are not in its span (the file export has them):
 * they are counted in {@link Counts#lateAttributes}.
 * An end read before its begin waits for it apart from the tasks begun (a begin can come
 * a whole flush interval, many segments, late: it sat in an idle thread's buffer), so such
 * ends never push real open tasks out; one whose begin never came (it was dropped) is
 * counted in {@link Counts#forgotten} when the trace ends, or once {@value #MAX_ORPHANS}
 * newer ones wait. Memory is bounded whatever the recording's length: at most
 * {@value #MAX_OPEN} tasks begun and not complete (past that the oldest, tasks begun long
 * ago and not ended, are forgotten, counted the same way), {@value #MAX_ORPHANS} ends
 * waiting for their begin, {@value #RECENT} trace ids of parent tasks handed on (for
 * children that end after their parent), as many ids of tasks forgotten (whose other half,
 * read later, is ignored: a task is counted once) and {@value #THREADS} thread names. Not
 * thread-safe.
 */
final class LiveMapper implements TraceHandler {
    static final int MAX_OPEN = 1 << 16;
    static final int MAX_WAITING = 1 << 13;
    static final int RECENT = 1 << 14;
    static final int THREADS = 1 << 12;
    static final int MAX_ORPHANS = 1 << 16;

    /** What the mapper could not send, by cause; shared by the mappers of one exporter. */
    static final class Counts {
        /** Events the trace says were dropped before it reached the mapper (the tap's queue, the recording). */
        final AtomicLong dropped = new AtomicLong();
        /** Tasks forgotten: an end whose begin never came, or the oldest open task past {@link #MAX_OPEN}. */
        final AtomicLong forgotten = new AtomicLong();
        /** Tasks sent that began before the trace did (an earlier begin). */
        final AtomicLong begunBefore = new AtomicLong();
        /** Task attributes not in their task's span: read after it was sent, or before anything else of it. */
        final AtomicLong lateAttributes = new AtomicLong();
    }

    /** What is known of a task so far. */
    private static final class LiveTask {
        final long id;
        long parent;
        String type;
        long start;
        long end;
        long endThread;
        String outcome;
        boolean hasBegin;
        boolean hasEnd;
        boolean hasChildren;
        /** Begun before this trace started: its begin is a repeated one. */
        boolean begunBefore;
        long readySegment;
        String traceId;
        Map<String, String> attrs;

        LiveTask(long id) {
            this.id = id;
        }
    }

    private final Resource resource;
    private final Consumer<SpanData> out;
    private final Map<Long, LiveTask> open = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, LiveTask> eldest) {
            if (size() > MAX_OPEN) {
                LiveTask t = eldest.getValue();
                if (t.hasBegin && t.hasEnd) {
                    emit(t); // complete, waiting for its parent's begin: sent now (removes it; allowed here)
                    return false;
                }
                forget(eldest.getKey());
                return true;
            }
            return false;
        }
    };
    private final ArrayDeque<LiveTask> ready = new ArrayDeque<>();
    /** Ends read before their begins, in the order read. */
    private final Map<Long, LiveTask> orphans = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, LiveTask> eldest) {
            if (size() > MAX_ORPHANS) {
                forget(eldest.getKey());
                return true;
            }
            return false;
        }
    };
    /** Tasks counted as forgotten: what comes of them later is ignored. */
    private final Map<Long, Boolean> forgotten = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > RECENT;
        }
    };
    private final Map<Long, String> recent = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > RECENT;
        }
    };
    private final Map<Long, String> threads = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > THREADS;
        }
    };
    private SpanIds ids;
    private long wallBase;
    private final Counts counts;
    private final Runnable afterSegment;
    private long segment;

    /**
     * @param resource the spans' resource
     * @param out takes each span, in the order tasks complete
     * @param counts where what is not sent is counted
     * @param afterSegment run after each segment's prefix is read
     */
    LiveMapper(Resource resource, Consumer<SpanData> out, Counts counts, Runnable afterSegment) {
        this.resource = resource;
        this.out = out;
        this.counts = counts;
        this.afterSegment = afterSegment;
    }

    @Override
    public void onHeader(TraceHeader header) {
        wallBase = header.wallBaseNanos();
        ids = new SpanIds(header.wallBaseNanos(), header.monotonicBase());
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        counts.dropped.addAndGet(dropped);
        segment++;
        while (!ready.isEmpty() && ready.peekFirst().readySegment + 2 <= segment) {
            emit(ready.pollFirst());
        }
        afterSegment.run();
    }

    @Override
    public void onThread(long thread, String name) {
        threads.put(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        LiveTask t = open.get(task);
        if (t == null) {
            if (forgotten.containsKey(task)) {
                return; // counted already
            }
            t = orphans.remove(task); // its end came first
            if (t == null) {
                t = new LiveTask(task);
            }
            open.put(task, t);
        }
        if (t.hasBegin) {
            return;
        }
        t.hasBegin = true;
        t.start = time;
        t.parent = parent;
        t.type = type;
        LiveTask p = parent == 0 ? null : open.get(parent);
        if (p != null) {
            p.hasChildren = true;
        }
        t.begunBefore = earlier; // its attributes so far follow the repeated begin
        if (t.hasEnd) {
            ready(t);
        }
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        LiveTask t = open.get(task);
        if (t == null) {
            if (forgotten.containsKey(task)) {
                return; // counted already
            }
            t = orphans.get(task);
            if (t == null) { // before its begin: it waits apart
                t = new LiveTask(task);
                orphans.put(task, t);
            }
        }
        if (t.hasEnd) {
            return;
        }
        t.hasEnd = true;
        t.end = time;
        t.endThread = thread;
        t.outcome = outcome;
        if (t.hasBegin) {
            if (t.parent == 0 || parentKnown(t.parent)) {
                emit(t);
            } else {
                ready(t);
            }
        }
    }

    /** @return whether the parent's begin was read: its trace is known */
    private boolean parentKnown(long parent) {
        LiveTask p = open.get(parent);
        return p != null ? p.hasBegin : recent.containsKey(parent);
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        if (onSpan) {
            return; // spans are the file export's
        }
        LiveTask t = open.get(target); // only for a task seen already, or an end waiting for its begin
        if (t == null) {
            t = orphans.get(target);
        }
        if (t == null) {
            counts.lateAttributes.incrementAndGet();
            return;
        }
        if (t.attrs == null) {
            t.attrs = new HashMap<>(4);
        }
        t.attrs.put(key, value);
    }

    /** No segment came for a while: what is complete is handed on. */
    void idle() {
        while (!ready.isEmpty()) {
            emit(ready.pollFirst());
        }
    }

    /**
     * The trace ended: hands on the tasks that are complete, and counts as forgotten the ends
     * whose begin never came. Tasks never ended are not sent.
     */
    void finish() {
        idle();
        counts.forgotten.addAndGet(orphans.size()); // their begins were dropped
        orphans.clear();
    }

    /** Counts {@code task} as forgotten, once: what is read of it later is ignored. */
    private void forget(long task) {
        counts.forgotten.incrementAndGet();
        forgotten.put(task, Boolean.TRUE);
    }

    private void ready(LiveTask t) {
        t.readySegment = segment;
        ready.addLast(t);
        if (ready.size() > MAX_WAITING) {
            emit(ready.pollFirst());
        }
    }

    private void emit(LiveTask t) {
        if (open.remove(t.id) == null) {
            return; // forgotten as too old meanwhile (counted), or sent
        }
        if (t.begunBefore) {
            counts.begunBefore.incrementAndGet();
        }
        String explicit = SpanIds.validTraceId(attr(t, "trace.id"));
        String trace = traceOf(t);
        String remoteParent = explicit == null ? null : SpanIds.validSpanId(attr(t, "trace.parent_id"));
        String parent = null;
        if (remoteParent != null) {
            parent = remoteParent;
        } else if (t.parent != 0 && (explicit == null || explicit.equals(traceOfTask(t.parent)))) {
            parent = ids.task(t.parent);
        }
        SpanAttributes.Builder a = new SpanAttributes.Builder();
        if (t.attrs != null) {
            t.attrs.forEach((k, v) -> a.put(SpanFactory.key(k), v));
        }
        a.put(SpanFactory.TASK_ID, t.id);
        if (t.parent != 0) {
            a.put(SpanFactory.PARENT_TASK_ID, t.parent);
        }
        a.put(SpanFactory.OUTCOME, t.outcome).put(SpanFactory.END_THREAD, threadName(t.endThread));
        boolean server = remoteParent != null || attr(t, "http.target") != null;
        SpanContext context = SpanFactory.context(trace, ids.task(t.id), false);
        SpanContext parentContext = SpanFactory.parent(trace, parent, remoteParent != null);
        recent.put(t.id, trace); // for a child whose begin comes later (batches interleave)
        out.accept(new MappedSpan(t.type, server ? SpanKind.SERVER : SpanKind.INTERNAL, context, parentContext,
                SpanFactory.status(t.outcome), wallBase + t.start, wallBase + t.end, a.build(), List.of(), 0, resource));
    }

    /** As {@link SpanMapper}: its {@code trace.id}, else its parent's trace, else derived from its id. */
    private String traceOf(LiveTask t) {
        if (t.traceId == null) {
            String explicit = SpanIds.validTraceId(attr(t, "trace.id"));
            t.traceId = explicit != null ? explicit : t.parent != 0 ? traceOfTask(t.parent) : ids.trace(t.id);
        }
        return t.traceId;
    }

    private String traceOfTask(long task) {
        LiveTask t = open.get(task);
        if (t != null) {
            return traceOf(t);
        }
        String trace = recent.get(task);
        return trace != null ? trace : ids.trace(task);
    }

    private String threadName(long thread) {
        String name = threads.get(thread);
        return name != null ? name : thread == 0 ? "JVM" : "#" + thread;
    }

    private static String attr(LiveTask t, String key) {
        return t.attrs == null ? null : t.attrs.get(key);
    }
}
