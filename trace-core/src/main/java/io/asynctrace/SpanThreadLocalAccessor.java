package io.asynctrace;

import io.micrometer.context.ThreadLocalAccessor;

/**
 * Carries the span open on a thread (the parent of spans begun where the context is
 * restored) through Micrometer Context Propagation, next to
 * {@link TaskThreadLocalAccessor}: a span begun inside a job nests under the span
 * that was open where the job was submitted. Found through
 * {@link java.util.ServiceLoader}; key {@value #KEY}. The value is the span id, absent
 * when no span is open.
 */
public final class SpanThreadLocalAccessor implements ThreadLocalAccessor<Long> {
    /** The key under which the current span id is propagated. */
    public static final String KEY = "io.asynctrace.span";

    /** Called by {@link java.util.ServiceLoader}. */
    public SpanThreadLocalAccessor() {
    }

    @Override
    public Object key() {
        return KEY;
    }

    @Override
    public Long getValue() {
        long span = ThreadState.current().span;
        return span == 0 ? null : span;
    }

    @Override
    public void setValue(Long value) {
        ThreadState.current().span = value;
    }

    @Override
    public void setValue() {
        ThreadState.current().span = 0;
    }

    @Override
    public void restore(Long previousValue) {
        ThreadState.current().span = previousValue;
    }

    @Override
    public void restore() {
        ThreadState.current().span = 0;
    }
}
