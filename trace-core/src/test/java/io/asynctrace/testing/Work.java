package io.asynctrace.testing;

import java.util.concurrent.locks.LockSupport;

/**
 * Work that takes time, for tests whose subject is a duration (a slow task, a thread
 * blocked in sleep). Never use it to wait for something to happen: that is
 * {@link Await}'s job.
 */
public final class Work {
    private Work() {
    }

    /** Sleeps {@code millis} as the work under test; an interrupt ends it early and stays set. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stays busy (parking for a few microseconds at a time) for at least {@code nanos} of {@link System#nanoTime()}. */
    public static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            LockSupport.parkNanos(1);
        }
    }
}
