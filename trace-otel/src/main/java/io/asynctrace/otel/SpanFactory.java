package io.asynctrace.otel;

import io.asynctrace.otel.Entities.JobState;
import io.asynctrace.otel.Entities.SpanState;
import io.asynctrace.otel.Entities.TaskState;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TaskBreakdown;
import io.asynctrace.reader.TraceHeader;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link SpanData} of a task or an asynctrace span, once its ids are decided:
 * the mapping table of {@code docs/OTEL.md}, in one place. Not thread-safe.
 */
final class SpanFactory {
    static final AttributeKey<Long> TASK_ID = AttributeKey.longKey("asynctrace.task_id");
    static final AttributeKey<Long> PARENT_TASK_ID = AttributeKey.longKey("asynctrace.parent_task_id");
    static final AttributeKey<Long> SPAN_ID = AttributeKey.longKey("asynctrace.span_id");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("asynctrace.outcome");
    static final AttributeKey<List<String>> THREADS = AttributeKey.stringArrayKey("asynctrace.threads");
    static final AttributeKey<String> THREAD = AttributeKey.stringKey("asynctrace.thread");
    static final AttributeKey<String> END_THREAD = AttributeKey.stringKey("asynctrace.end_thread");
    static final AttributeKey<Boolean> INCOMPLETE = AttributeKey.booleanKey("asynctrace.incomplete");
    static final AttributeKey<Boolean> BEGIN_UNKNOWN = AttributeKey.booleanKey("asynctrace.begin_unknown");
    static final AttributeKey<Long> RUNNING = AttributeKey.longKey("asynctrace.running_ns");
    static final AttributeKey<Long> QUEUED = AttributeKey.longKey("asynctrace.queued_ns");
    static final AttributeKey<Long> OTHER = AttributeKey.longKey("asynctrace.other_ns");
    static final AttributeKey<Long> BLOCKED = AttributeKey.longKey("asynctrace.blocked_ns");
    static final AttributeKey<Long> SOCKET = AttributeKey.longKey("asynctrace.socket_ns");
    static final AttributeKey<Long> GC = AttributeKey.longKey("asynctrace.gc_ns");
    static final AttributeKey<String> MESSAGE = AttributeKey.stringKey("message");

    /** Keys of the recorded attributes, one instance per name (the OTLP encoder keeps each key's UTF-8 on it). */
    private static final java.util.concurrent.ConcurrentHashMap<String, AttributeKey<String>> KEYS =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_KEYS = 4096;

    private final Resource resource;
    private final Map<Long, String> threadNames = new HashMap<>();
    private SpanIds ids;
    private long wallBase;

    SpanFactory(Resource resource) {
        this.resource = resource;
    }

    /** @return the string key {@code name}, the same instance each time for the first {@value #MAX_KEYS} names */
    static AttributeKey<String> key(String name) {
        AttributeKey<String> k = KEYS.get(name);
        if (k == null) {
            k = AttributeKey.stringKey(name);
            if (KEYS.size() < MAX_KEYS) {
                KEYS.putIfAbsent(name, k);
            }
        }
        return k;
    }

    void header(TraceHeader header) {
        wallBase = header.wallBaseNanos();
        ids = new SpanIds(header.wallBaseNanos(), header.monotonicBase());
    }

    void threadName(long thread, String name) {
        threadNames.put(thread, name);
    }

    SpanIds ids() {
        return ids;
    }

    String threadName(long thread) {
        String name = threadNames.get(thread);
        return name != null ? name : thread == 0 ? "JVM" : "#" + thread;
    }

    /**
     * @param t the task
     * @param end its end, or the trace's last event time if it never ended
     * @param traceId its trace
     * @param parentSpanId the span it runs under, or null for a root span
     * @param remoteParent whether that span is another process's (a {@code traceparent})
     * @param runtime the runtime events of the trace, for the breakdown
     */
    SpanData task(TaskState t, long end, String traceId, String parentSpanId, boolean remoteParent,
            RuntimeIndex runtime) {
        long start = t.hasBegin ? t.start : firstSeen(t, end);
        SpanAttributes.Builder a = new SpanAttributes.Builder();
        if (t.attrs != null) {
            t.attrs.forEach((k, v) -> a.put(key(k), v));
        }
        a.put(TASK_ID, t.id);
        if (t.parent != 0) {
            a.put(PARENT_TASK_ID, t.parent);
        }
        if (t.outcome != null) {
            a.put(OUTCOME, t.outcome);
        }
        TaskBreakdown b = new TaskBreakdown(start, end);
        if (t.jobs != null) {
            for (JobState j : t.jobs) {
                b.job(j.queued, j.started, j.finished, j.runThread);
            }
        }
        for (int i = 0; i < t.spanTimesLength; i += 4) {
            b.span(t.spanTimes[i], t.spanTimes[i + 1], t.spanTimes[i + 2], t.spanTimes[i + 3]);
        }
        if (t.hasBegin && t.hasEnd && t.beginThread == t.endThread) {
            b.ranWholeOn(t.beginThread);
        }
        String beganOn = t.hasBegin ? threadName(t.beginThread) : null;
        for (RuntimeInfo e : runtime.overlapping(start, end)) {
            b.runtime(e, e.kind() != RuntimeKind.GC_PAUSE || TaskBreakdown.sameProcess(threadName(e.thread()), beganOn));
        }
        a.put(RUNNING, b.running()).put(QUEUED, b.queued()).put(OTHER, b.other());
        a.put(BLOCKED, b.blocked()).put(SOCKET, b.socket()).put(GC, b.gc());
        a.put(THREADS, threadNames(t));
        if (!t.hasEnd) {
            a.put(INCOMPLETE, true);
        }
        if (!t.hasBegin) {
            a.put(BEGIN_UNKNOWN, true);
        }
        List<EventData> events = new ArrayList<>(t.logs == null ? 0 : t.logs.size());
        if (t.logs != null) {
            for (LogInfo l : t.logs) {
                events.add(EventData.create(wallBase + l.time(), l.category(),
                        Attributes.of(MESSAGE, l.message(), THREAD, threadName(l.thread()))));
            }
        }
        boolean server = remoteParent || t.attr("http.target") != null;
        return new MappedSpan(t.type == null ? "task #" + t.id : t.type, server ? SpanKind.SERVER : SpanKind.INTERNAL,
                context(traceId, factoryTaskId(t), false), parent(traceId, parentSpanId, remoteParent),
                status(t.outcome), wallBase + start, wallBase + end, a.build(), events, t.logCount, resource);
    }

    private String factoryTaskId(TaskState t) {
        return ids.task(t.id);
    }

    /**
     * @param s the span, ended (or closed at the end of the trace, {@code incomplete})
     * @param traceId its trace
     * @param spanId its id
     * @param parentSpanId the span or task span it runs under, or null for a root span
     */
    SpanData span(SpanState s, String traceId, String spanId, String parentSpanId) {
        SpanAttributes.Builder a = new SpanAttributes.Builder();
        if (s.attrs != null) {
            s.attrs.forEach((k, v) -> a.put(key(k), v));
        }
        a.put(SPAN_ID, s.id);
        if (s.task != 0) {
            a.put(TASK_ID, s.task);
        }
        a.put(THREAD, threadName(s.thread));
        if (s.incomplete) {
            a.put(INCOMPLETE, true);
        } else {
            a.put(END_THREAD, threadName(s.endThread));
        }
        String error = s.attr("error");
        StatusData status = error != null ? StatusData.create(StatusCode.ERROR, error) : StatusData.unset();
        boolean client = SpanIds.validSpanId(s.attr("trace.span_id")) != null;
        return new MappedSpan(s.name, client ? SpanKind.CLIENT : SpanKind.INTERNAL, context(traceId, spanId, false),
                parent(traceId, parentSpanId, false), status, wallBase + s.start, wallBase + s.end, a.build(),
                List.of(), 0, resource);
    }

    /** {@code ok} → OK; a 2xx HTTP status → UNSET (as OpenTelemetry's HTTP conventions); anything else → ERROR. */
    static StatusData status(String outcome) {
        if (outcome == null) {
            return StatusData.unset();
        }
        if (outcome.equals("ok")) {
            return StatusData.ok();
        }
        if (outcome.length() == 3 && outcome.charAt(0) == '2' && Character.isDigit(outcome.charAt(1))
                && Character.isDigit(outcome.charAt(2))) {
            return StatusData.unset();
        }
        return StatusData.create(StatusCode.ERROR, outcome);
    }

    /** Ids here are valid already (derived, or checked by {@link SpanIds}): not checked again per span. */
    static SpanContext context(String traceId, String spanId, boolean remote) {
        return new IdContext(traceId, spanId, remote);
    }

    static SpanContext parent(String traceId, String parentSpanId, boolean remote) {
        return parentSpanId == null ? SpanContext.getInvalid() : context(traceId, parentSpanId, remote);
    }

    /** @return the names of the task's threads, in the order they first appeared */
    private List<String> threadNames(TaskState t) {
        int n = t.threadsLength / 2;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Long.compare(t.threads[2 * x + 1], t.threads[2 * y + 1]));
        List<String> names = new ArrayList<>(n);
        for (int i : order) {
            names.add(threadName(t.threads[2 * i]));
        }
        return names;
    }

    private static long firstSeen(TaskState t, long end) {
        long first = end;
        for (int i = 1; i < t.threadsLength; i += 2) {
            first = Math.min(first, t.threads[i]);
        }
        return first;
    }
}
