package io.asynctrace.otel;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import java.util.Locale;

/**
 * OpenTelemetry ids for a trace file's tasks and spans: derived from the recording's
 * clock anchor and the asynctrace id, so the same file always maps to the same ids, and
 * two recordings (two anchors) almost surely to different ones. Ids given by the trace
 * itself ({@code trace.id}, {@code trace.parent_id}, {@code trace.span_id} from a W3C
 * {@code traceparent}) are used as they are. Immutable.
 */
final class SpanIds {
    private static final long TASK_SALT = 0x7461736b5f73706eL;
    private static final long SPAN_SALT = 0x7370616e5f73706eL;
    private static final long TRACE_HI_SALT = 0x74726163655f6869L;
    private static final long TRACE_LO_SALT = 0x74726163655f6c6fL;

    private final long seed;

    /**
     * @param wallBase the trace header's wall-clock base
     * @param monotonicBase the trace header's monotonic base
     */
    SpanIds(long wallBase, long monotonicBase) {
        this.seed = mix(wallBase ^ mix(monotonicBase));
    }

    /** @return the span id of task {@code task} */
    String task(long task) {
        return SpanId.fromLong(nonZero(mix(seed ^ TASK_SALT ^ mix(task))));
    }

    /** @return the span id of asynctrace span {@code span} */
    String span(long span) {
        return SpanId.fromLong(nonZero(mix(seed ^ SPAN_SALT ^ mix(span))));
    }

    /** @return the trace id of the trace rooted at task or span {@code root} */
    String trace(long root) {
        long m = mix(root);
        return TraceId.fromLongs(mix(seed ^ TRACE_HI_SALT ^ m), nonZero(mix(seed ^ TRACE_LO_SALT ^ m)));
    }

    /** @return the value as a lower-case trace id if it is a valid one (32 hex digits, not all zero), else null */
    static String validTraceId(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        return TraceId.isValid(v) ? v : null;
    }

    /** @return the value as a lower-case span id if it is a valid one (16 hex digits, not all zero), else null */
    static String validSpanId(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        return SpanId.isValid(v) ? v : null;
    }

    private static long nonZero(long v) {
        return v == 0 ? 1 : v;
    }

    /** SplitMix64's finaliser: a bijection that scatters nearby ids. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
