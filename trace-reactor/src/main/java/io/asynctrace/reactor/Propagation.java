package io.asynctrace.reactor;

import io.asynctrace.Task;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;

/**
 * Where a hop's task comes from. The switch itself is trace-core's
 * {@code TaskThreadLocalAccessor.switchTo}/{@code switchBack}, shared with trace-netty:
 * one thread-local lookup, a field write only where the task differs, no snapshot, no
 * allocation.
 */
final class Propagation {
    private Propagation() {
    }

    /**
     * The task of the subscriber a piece of scheduled work delivers to: the
     * {@code Runnable} of {@code publishOn}, {@code subscribeOn}, {@code Mono.delay},
     * {@code timeout} and {@code Flux.interval} is (or scans to) that subscriber.
     *
     * @return the task in its {@code Context}, or null if it has none or is not a subscriber
     */
    static Task taskOf(Runnable work) {
        try {
            Object subscriber = work;
            if (!(work instanceof CoreSubscriber) && work instanceof Scannable) {
                subscriber = ((Scannable) work).scanUnsafe(Scannable.Attr.ACTUAL);
            }
            return subscriber instanceof CoreSubscriber
                    ? Contexts.task(((CoreSubscriber<?>) subscriber).currentContext())
                    : null;
        } catch (RuntimeException e) {
            return null; // a foreign Scannable that fails to scan: fall back to the scheduling thread's task
        }
    }
}
