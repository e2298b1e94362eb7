package io.asynctrace.otel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps one thread's CPU time under a share of one core: a token bucket filled at
 * {@code cores} CPU-seconds per second (at most {@value #BURST_MILLIS} ms ahead), emptied by
 * the CPU the thread used; {@link #pace()} parks the thread until the bucket is no longer in
 * debt. Where the JVM cannot measure a thread's CPU time, it does nothing. For one thread.
 */
final class CpuBudget {
    static final long BURST_MILLIS = 50;
    private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(BURST_MILLIS);

    private final double cores;
    private final ThreadMXBean mx;
    private long lastWall;
    private long lastCpu = -1;
    private double credit = BURST_NANOS;
    private long parkedNanos;

    /** @param cores the share of one core allowed (1.0: a whole core, which never parks) */
    CpuBudget(double cores) {
        this.cores = cores;
        ThreadMXBean m = ManagementFactory.getThreadMXBean();
        this.mx = cores < 1.0 && m.isCurrentThreadCpuTimeSupported() ? m : null;
    }

    /** Charges the CPU used since the last call and parks while over the budget. */
    void pace() {
        if (mx == null) {
            return;
        }
        long wall = System.nanoTime();
        long cpu = mx.getCurrentThreadCpuTime();
        if (cpu < 0) {
            return; // measuring is disabled
        }
        if (lastCpu < 0) {
            lastWall = wall;
            lastCpu = cpu;
            return;
        }
        credit = Math.min(BURST_NANOS, credit + (wall - lastWall) * cores) - (cpu - lastCpu);
        lastWall = wall;
        lastCpu = cpu;
        if (credit < 0) {
            long park = (long) (-credit / cores);
            parkedNanos += park;
            LockSupport.parkNanos(this, park);
        }
    }

    /** @return how long {@link #pace()} parked so far */
    long parkedNanos() {
        return parkedNanos;
    }
}
