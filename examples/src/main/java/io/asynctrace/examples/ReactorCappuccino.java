package io.asynctrace.examples;

import io.asynctrace.examples.Barista.Cappuccino;
import io.asynctrace.reactor.ReactorTracing;
import io.asynctrace.reactor.Trace;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The cappuccino with Reactor: per order a task {@code makeCappuccino}; milk and
 * espresso in parallel on two small schedulers (spans {@code steamMilk},
 * {@code extractCoffee}), then {@code mixMilkCoffee}; the order id logged under
 * {@code orderID}. The schedulers have two threads each, so orders queue for them.
 */
final class ReactorCappuccino {
    private ReactorCappuccino() {
    }

    /** Makes {@code orders} cappuccinos, {@code concurrency} at a time; returns how many succeeded. */
    static long run(int orders, int concurrency) {
        ReactorTracing.install();
        Scheduler milkBar = Schedulers.newBoundedElastic(2, 10_000, "milk-bar");
        Scheduler espresso = Schedulers.newBoundedElastic(2, 10_000, "espresso");
        try {
            Long made = Flux.range(1, orders)
                    .flatMap(id -> order(id, milkBar, espresso), concurrency)
                    .count()
                    .block(Duration.ofMinutes(1));
            return made == null ? 0 : made;
        } finally {
            milkBar.dispose();
            espresso.dispose();
        }
    }

    /** Long-lived schedulers for orders served one request at a time ({@link #serve}). */
    private static final class Bar {
        static final Scheduler MILK = Schedulers.newBoundedElastic(2, 10_000, "milk-bar", 60, true);
        static final Scheduler ESPRESSO = Schedulers.newBoundedElastic(2, 10_000, "espresso", 60, true);
    }

    /** One order as a reply to an HTTP request: what {@code asynctrace demo --serve} serves. */
    static Mono<String> serve(int id) {
        ReactorTracing.install();
        return order(id, Bar.MILK, Bar.ESPRESSO)
                .map(c -> "cappuccino #" + id + " is ready")
                .defaultIfEmpty("order #" + id + ": the milk burnt, please order again");
    }

    private static Mono<Cappuccino> order(int id, Scheduler milkBar, Scheduler espresso) {
        Mono<Barista.Milk> milk = Mono.fromCallable(() -> Barista.steamMilk(id))
                .transform(Trace.span("steamMilk"))
                .subscribeOn(milkBar);
        Mono<Barista.Coffee> coffee = Mono.fromCallable(() -> Barista.extractCoffee(id))
                .transform(Trace.span("extractCoffee"))
                .subscribeOn(espresso);
        return Mono.deferContextual(ctx -> {
            Trace.log(ctx, "orderID", Integer.toString(id));
            return Mono.zip(milk, coffee);
        })
                .flatMap(t -> Mono.fromCallable(() -> Barista.mixMilkCoffee(t.getT1(), t.getT2()))
                        .transform(Trace.span("mixMilkCoffee")))
                .transform(Trace.task("makeCappuccino"))
                // A failed order ends its task with the exception's class; the others go on.
                .onErrorResume(Barista.BurntMilkException.class, e -> Mono.empty());
    }
}
