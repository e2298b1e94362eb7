package io.asynctrace.benchmarks.peers;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import reactor.core.observability.DefaultSignalListener;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A Reactor {@code tap} listener that runs each subscription as a Micrometer
 * {@link Observation}: the lean core of reactor-core-micrometer's
 * {@code Micrometer.observation(registry)} (which is not available here), without its
 * key values. The observation's parent is the one in the subscriber {@code Context};
 * the observation is put in the {@code Context} under
 * {@link ObservationThreadLocalAccessor#KEY}, so that with automatic context
 * propagation it is current inside the operators, as asynctrace's task is.
 *
 * @param <T> the element type
 */
final class ObservationListener<T> extends DefaultSignalListener<T> {
    private final Observation observation;

    ObservationListener(ContextView subscriberContext, ObservationRegistry registry, String name) {
        Observation parent = subscriberContext.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        observation = Observation.createNotStarted(name, registry).parentObservation(parent);
    }

    @Override
    public void doFirst() {
        observation.start();
    }

    @Override
    public Context addToContext(Context context) {
        return context.put(ObservationThreadLocalAccessor.KEY, observation);
    }

    @Override
    public void doOnComplete() {
        observation.stop();
    }

    @Override
    public void doOnError(Throwable error) {
        observation.error(error).stop();
    }

    @Override
    public void doOnCancel() {
        observation.stop();
    }
}
