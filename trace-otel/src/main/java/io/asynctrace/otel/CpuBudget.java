package io.asynctrace.otel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps one thread's CPU time under a share of one core: a token bucket filled at
 * {@code cores} CPU-seconds per second (at most {@value #BURST_MILLIS} ms ahead), emptied by
 * the CPU the thread used; {@link #pace()} parks the thread until the bucket is no longer in
 * debt. Where the JVM cannot measure a thread's CPU time, it does nothing. For one thread
 * ({@link #parkedNanos()} from any).
 */
final class CpuBudget {
    static final long BURST_MILLIS = 50;
    private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(BURST_MILLIS);

    private final double cores;
    private final ThreadMXBean mx;
    private long lastWall;
    private long lastCpu = -1;
    private double credit = BURST_NANOS;
    private volatile long parkedNanos; // written by its thread only

    /** @param cores the share of one core allowed (1.0: a whole core, which never parks) */
    CpuBudget(double cores) {
        this.cores = cores;
        ThreadMXBean m = ManagementFactory.getThreadMXBean();
        this.mx = cores < 1.0 && m.isCurrentThreadCpuTimeSupported() ? m : null;
    }

    /** Charges the CPU used since the last call and parks while over the budget. */
    void pace() {
        pace(Long.MAX_VALUE, () -> { });
    }

    /**
     * Charges the CPU used since the last call and parks until the budget is no longer in
     * debt, in parks of at most {@code slice}, running {@code between} after each but the
     * last; the CPU of those is charged at the next call, so the pause always ends.
     *
     * @param slice the longest single park, in nanoseconds
     * @param between what the thread must still do while it pauses (send a batch that is due)
     */
    void pace(long slice, Runnable between) {
        long debt = charge();
        if (debt <= 0) {
            return;
        }
        // The debt is paid in wall time from now; what the slices and between cost is charged at the next call.
        long end = System.nanoTime() + debt;
        while (true) {
            long before = System.nanoTime();
            long left = end - before;
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(this, Math.min(left, slice));
            long after = System.nanoTime();
            parkedNanos += after - before; // as long as it really parked (an unpark ends it early)
            if (end - after <= 0) {
                return;
            }
            between.run();
        }
    }

    /** @return how long the thread must park to be within the budget again, 0 if it is */
    private long charge() {
        if (mx == null) {
            return 0;
        }
        long wall = System.nanoTime();
        long cpu = mx.getCurrentThreadCpuTime();
        if (cpu < 0) {
            return 0; // measuring is disabled
        }
        if (lastCpu < 0) {
            lastWall = wall;
            lastCpu = cpu;
            return 0;
        }
        credit = Math.min(BURST_NANOS, credit + (wall - lastWall) * cores) - (cpu - lastCpu);
        lastWall = wall;
        lastCpu = cpu;
        return credit < 0 ? (long) (-credit / cores) : 0;
    }

    /** @return how long {@link #pace} parked so far; read from any thread */
    long parkedNanos() {
        return parkedNanos;
    }
}
