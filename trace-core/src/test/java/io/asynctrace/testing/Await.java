package io.asynctrace.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waiting in tests: always for a condition, always with a deadline, failing with what
 * was awaited. Never sleep and hope. The default deadline, {@link #DEADLINE}, is far
 * beyond any expected wait (a loaded 2-core CI machine), so reaching it means a bug.
 */
public final class Await {
    /** How long any wait may take before the test fails. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private Await() {
    }

    /** Waits until {@code condition} holds, up to {@link #DEADLINE}; {@code what} names it in the failure. */
    public static void until(String what, BooleanSupplier condition) {
        until(DEADLINE, what, condition);
    }

    /** Waits until {@code condition} holds, up to {@code deadline}. */
    public static void until(Duration deadline, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        long pauseMillis = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError(what + ": not reached within " + describe(deadline));
            }
            pause(pauseMillis);
            pauseMillis = Math.min(10, pauseMillis * 2);
        }
    }

    /** Waits for {@code latch} to reach zero, up to {@link #DEADLINE}. */
    public static void latch(String what, CountDownLatch latch) {
        try {
            if (!latch.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(what + ": not reached within " + describe(DEADLINE) + " (count "
                        + latch.getCount() + ")");
            }
        } catch (InterruptedException e) {
            throw interrupted(what, e);
        }
    }

    /** Waits for {@code future}'s value, up to {@link #DEADLINE}; its failure is rethrown as an AssertionError. */
    public static <T> T value(String what, Future<T> future) {
        try {
            return future.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": no result within " + describe(DEADLINE), e);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            throw interrupted(what, e);
        }
    }

    /** Waits for each thread to end, up to {@link #DEADLINE} in all. */
    public static void joined(Thread... threads) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        try {
            for (Thread t : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                t.join(Math.max(1, left));
                if (t.isAlive()) {
                    throw new AssertionError("thread " + t.getName() + " still running after "
                            + describe(DEADLINE));
                }
            }
        } catch (InterruptedException e) {
            throw interrupted("joining threads", e);
        }
    }

    /**
     * Shuts {@code pool} down and waits for it to terminate, so that everything its
     * jobs record (a job records "finished" after completing its future) is recorded.
     */
    public static void terminated(ExecutorService pool) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("executor " + pool + " not terminated within " + describe(DEADLINE));
            }
        } catch (InterruptedException e) {
            throw interrupted("awaiting termination", e);
        }
    }

    /** A deadline as a reader wants it: "250 ms", "30 s" (never "0 s" for a sub-second one). */
    static String describe(Duration d) {
        return d.toMillis() % 1000 != 0 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw interrupted("waiting", e);
        }
    }

    private static AssertionError interrupted(String what, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new AssertionError(what + ": interrupted", e);
    }
}
