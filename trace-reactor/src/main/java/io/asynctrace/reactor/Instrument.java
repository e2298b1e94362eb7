package io.asynctrace.reactor;

import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The function behind {@link Trace#task} and {@link Trace#span}: puts a {@link Traced}
 * operator on a {@link Mono} or a {@link Flux}, keeping its type so that both
 * {@code Mono.transform} and {@code Flux.transform} accept it.
 *
 * @param <T> the element type
 * @param <P> the publisher type
 */
final class Instrument<T, P extends Publisher<T>> implements Function<P, P> {
    private final String name;
    private final boolean task;

    Instrument(String name, boolean task) {
        this.name = String.valueOf(name);
        this.task = task;
    }

    @Override
    @SuppressWarnings("unchecked") // a Traced.OfMono<T> is a Mono<T>, a Traced.OfFlux<T> a Flux<T>: the type P is kept
    public P apply(P publisher) {
        if (publisher instanceof Mono) {
            return (P) new Traced.OfMono<>((Mono<T>) publisher, name, task);
        }
        if (publisher instanceof Flux) {
            return (P) new Traced.OfFlux<>((Flux<T>) publisher, name, task);
        }
        throw new IllegalArgumentException("Trace." + (task ? "task" : "span") + "(\"" + name
                + "\") applies to a Mono or a Flux, not to " + (publisher == null ? "null" : publisher.getClass().getName())
                + "; for a ParallelFlux, apply it after sequential() or inside the rails' flatMap");
    }

    @Override
    public String toString() {
        return "Trace." + (task ? "task" : "span") + "(" + name + ")";
    }
}
