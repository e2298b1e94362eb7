package io.asynctrace.examples;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cappuccino's three steps, as blocking work of a few milliseconds. Durations
 * depend only on the order id, so runs are comparable; one order in
 * {@value #BURNT_EVERY} burns its milk and fails.
 */
final class Barista {
    /** Every this many orders, steaming the milk fails. */
    static final int BURNT_EVERY = 23;

    private Barista() {
    }

    /** Milk, steamed for order {@code id}. */
    record Milk(int order) {
    }

    /** An espresso shot for order {@code id}. */
    record Coffee(int order) {
    }

    /** The finished drink. */
    record Cappuccino(int order) {
    }

    /** Thrown when an order's milk burns. */
    static final class BurntMilkException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BurntMilkException(int order) {
            super("milk burnt for order " + order, null, false, false);
        }
    }

    static Milk steamMilk(int order) {
        work(order, 1, 2, 6);
        if (order % BURNT_EVERY == 0) {
            throw new BurntMilkException(order);
        }
        return new Milk(order);
    }

    static Coffee extractCoffee(int order) {
        // Now and then a shot runs long: the tail of the latency histogram.
        work(order, 2, 3, order % 11 == 0 ? 20 : 8);
        return new Coffee(order);
    }

    static Cappuccino mixMilkCoffee(Milk milk, Coffee coffee) {
        work(milk.order(), 3, 1, 2);
        return new Cappuccino(milk.order());
    }

    /** Sleeps between {@code minMillis} and {@code maxMillis}, chosen by order and step. */
    private static void work(int order, int step, int minMillis, int maxMillis) {
        SplittableRandom random = new SplittableRandom(order * 31L + step);
        long micros = random.nextLong(minMillis * 1000L, maxMillis * 1000L + 1);
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
