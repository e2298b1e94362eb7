package io.asynctrace.benchmarks.peers;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A Micrometer {@link ObservationRegistry} with one handler that supports every
 * context and does nothing: the cost of the Observation API itself, without a
 * tracer or meter behind it. The registry is also the one Context Propagation's
 * {@link ObservationThreadLocalAccessor} reads and writes.
 */
@State(Scope.Benchmark)
public class MicrometerOn {
    ObservationRegistry registry;

    @Setup(Level.Trial)
    public void start() {
        registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new NoopHandler());
        ObservationThreadLocalAccessor.getInstance().setObservationRegistry(registry);
    }

    /** Handles every observation by doing nothing. */
    static final class NoopHandler implements ObservationHandler<Observation.Context> {
        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }
}
