package io.asynctrace.benchmarks.peers;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The benchmark thread works under a current OpenTelemetry span, the counterpart of
 * {@link AsynctraceTask}: spans started by the benchmark are its children.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class OtelParentSpan {
    private Span parent;
    private Scope scope;

    @Setup(Level.Trial)
    public void enter(OtelSdk sdk) {
        parent = sdk.tracer.spanBuilder("bench").startSpan();
        scope = parent.makeCurrent();
    }

    @TearDown(Level.Trial)
    public void exit() {
        scope.close();
        parent.end();
    }
}
