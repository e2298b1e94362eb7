package io.asynctrace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * The OpenTelemetry span current at {@link Trace#newTask}, when the OpenTelemetry API is on
 * the classpath: detected once, at class init; trace-core does not need the API. The
 * holder class is only loaded (and only then links against the API) when it is present.
 */
final class OtelSpans {
    /** Whether {@code io.opentelemetry.api.trace.Span} can be loaded. */
    static final boolean PRESENT = detect();

    private OtelSpans() {
    }

    private static boolean detect() {
        try {
            Class.forName("io.opentelemetry.api.trace.Span", false, OtelSpans.class.getClassLoader());
            Class.forName("io.opentelemetry.context.Context", false, OtelSpans.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** @return {trace id, span id} of the current valid OpenTelemetry span, or null (also when the API is absent) */
    static String[] current() {
        if (!PRESENT) {
            return null;
        }
        try {
            return Api.current();
        } catch (RuntimeException | LinkageError e) { // an incompatible API version: never into the application
            return null;
        }
    }

    private static final class Api {
        static String[] current() {
            SpanContext c = Span.current().getSpanContext();
            return c.isValid() ? new String[] {c.getTraceId(), c.getSpanId()} : null;
        }
    }
}
