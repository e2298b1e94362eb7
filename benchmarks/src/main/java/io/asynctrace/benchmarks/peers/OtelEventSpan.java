package io.asynctrace.benchmarks.peers;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A current OpenTelemetry span to add events to. The SDK keeps at most
 * {@value #EVENTS_PER_SPAN} events per span by default and silently drops the rest,
 * so the span is ended and a new one made current every {@value #EVENTS_PER_SPAN}
 * events: every event is kept, and an event's figure includes 1/{@value #EVENTS_PER_SPAN}
 * of a span (a few nanoseconds).
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class OtelEventSpan {
    /** {@code SpanLimits.getDefault().getMaxNumberOfEvents()}. */
    static final int EVENTS_PER_SPAN = 128;

    private Tracer tracer;
    private Span span;
    private Scope scope;
    private int events;

    @Setup(Level.Trial)
    public void enter(OtelSdk sdk) {
        tracer = sdk.tracer;
        open();
    }

    /** Called after each event: starts the next span when this one is full. */
    void added() {
        if (++events == EVENTS_PER_SPAN) {
            exit();
            open();
        }
    }

    private void open() {
        span = tracer.spanBuilder("bench").startSpan();
        scope = span.makeCurrent();
        events = 0;
    }

    @TearDown(Level.Trial)
    public void exit() {
        scope.close();
        span.end();
    }
}
