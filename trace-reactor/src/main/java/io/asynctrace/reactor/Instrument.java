package io.asynctrace.reactor;

import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * The function behind {@link Trace#task} and {@link Trace#span}: puts a
 * {@code tap} with a task or span listener on a {@link Mono} or a {@link Flux},
 * keeping its type so that both {@code Mono.transform} and {@code Flux.transform}
 * accept it. In Reactor's default mode the tap is behind a {@link WhileTracing}
 * switch, so a subscription made while tracing is off skips it.
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
    @SuppressWarnings("unchecked") // a Mono<T>.tap is a Mono<T>, a Flux<T>.tap a Flux<T>: the type P is kept
    public P apply(P publisher) {
        // Assembly-time choice, like Reactor's own: see WhileTracing for why.
        boolean automatic = Hooks.isAutomaticContextPropagationEnabled();
        if (publisher instanceof Mono) {
            Mono<T> mono = (Mono<T>) publisher;
            Mono<T> traced = task ? mono.tap(new TaskListener.Factory<T>(name, true))
                    : mono.tap(new SpanListener.Factory<T>(name, true));
            return (P) (automatic ? traced : new WhileTracing.OfMono<>(mono, traced));
        }
        if (publisher instanceof Flux) {
            Flux<T> flux = (Flux<T>) publisher;
            Flux<T> traced = task ? flux.tap(new TaskListener.Factory<T>(name, false))
                    : flux.tap(new SpanListener.Factory<T>(name, false));
            return (P) (automatic ? traced : new WhileTracing.OfFlux<>(flux, traced));
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
