package io.asynctrace.examples;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.examples.Barista.Cappuccino;
import io.asynctrace.examples.Barista.Coffee;
import io.asynctrace.examples.Barista.Milk;
import io.asynctrace.future.TracedCompletableFuture;
import io.asynctrace.future.TracedExecutors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cappuccino with {@code CompletableFuture}: per order a task
 * {@code makeCappuccino} made current while the chain is built, milk and espresso
 * as {@link TracedCompletableFuture#supplyAsync} stages on two pools of two threads
 * (spans {@code steamMilk}, {@code extractCoffee}), then {@code mixMilkCoffee} in
 * {@code thenCombine}; the task ends in {@code whenComplete} with the outcome.
 * Mixing runs on a pool wrapped by {@link TracedExecutors#wrap}, so all three hops
 * are jobs in the trace.
 */
final class FutureCappuccino {
    private FutureCappuccino() {
    }

    /** Makes {@code orders} cappuccinos; returns how many succeeded. */
    static long run(int orders) {
        ExecutorService milkBar = Executors.newFixedThreadPool(2, named("steam-wand"));
        ExecutorService espresso = Executors.newFixedThreadPool(2, named("group-head"));
        ExecutorService counter = TracedExecutors.wrap(Executors.newSingleThreadExecutor(named("counter")));
        try {
            List<CompletableFuture<Cappuccino>> cups = new ArrayList<>(orders);
            for (int i = 1; i <= orders; i++) {
                cups.add(order(i, milkBar, espresso, counter));
            }
            long made = 0;
            for (CompletableFuture<Cappuccino> cup : cups) {
                made += cup.handle((c, e) -> e == null ? 1 : 0).join();
            }
            return made;
        } finally {
            shutdown(milkBar);
            shutdown(espresso);
            shutdown(counter);
        }
    }

    private static CompletableFuture<Cappuccino> order(int id, ExecutorService milkBar, ExecutorService espresso,
            ExecutorService counter) {
        Task order = Trace.newTask("makeCappuccino");
        try (Scope s = order.makeCurrent()) {
            Trace.log("orderID", Integer.toString(id));
            CompletableFuture<Milk> milk = TracedCompletableFuture.supplyAsync(
                    () -> Trace.withSpan("steamMilk", () -> Barista.steamMilk(id)), milkBar);
            CompletableFuture<Coffee> coffee = TracedCompletableFuture.supplyAsync(
                    () -> Trace.withSpan("extractCoffee", () -> Barista.extractCoffee(id)), espresso);
            return milk.thenCombineAsync(coffee,
                    (m, c) -> Trace.withSpan("mixMilkCoffee", () -> Barista.mixMilkCoffee(m, c)), counter)
                    .whenComplete((cup, error) -> order.end(error == null ? "ok" : outcome(error)));
        }
    }

    private static String outcome(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        return cause.getClass().getName();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void shutdown(ExecutorService pool) {
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
