package io.asynctrace.otel;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

/**
 * A sampled span context whose ids are valid by construction (derived by {@link SpanIds}, or
 * checked by {@link SpanIds#validTraceId} / {@link SpanIds#validSpanId}): unlike
 * {@code SpanContext.create} it does not check the hex digits again at every span and at
 * every {@link #isValid()}. Equal to any {@link SpanContext} with the same ids, flags,
 * state and remoteness (one way: the SDK's own compare equal only among themselves). Immutable.
 */
final class IdContext implements SpanContext {
    private final String traceId;
    private final String spanId;
    private final boolean remote;

    IdContext(String traceId, String spanId, boolean remote) {
        this.traceId = traceId;
        this.spanId = spanId;
        this.remote = remote;
    }

    @Override
    public String getTraceId() {
        return traceId;
    }

    @Override
    public String getSpanId() {
        return spanId;
    }

    @Override
    public TraceFlags getTraceFlags() {
        return TraceFlags.getSampled();
    }

    @Override
    public TraceState getTraceState() {
        return TraceState.getDefault();
    }

    @Override
    public boolean isValid() {
        return true;
    }

    @Override
    public boolean isRemote() {
        return remote;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpanContext c && c.isRemote() == remote && traceId.equals(c.getTraceId())
                && spanId.equals(c.getSpanId()) && getTraceFlags().equals(c.getTraceFlags())
                && getTraceState().equals(c.getTraceState());
    }

    @Override
    public int hashCode() {
        return (traceId.hashCode() * 31 + spanId.hashCode()) * 31 + (remote ? 1 : 0);
    }

    @Override
    public String toString() {
        return "SpanContext{traceId=" + traceId + ", spanId=" + spanId + ", remote=" + remote + "}";
    }
}
