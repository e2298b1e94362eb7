package io.asynctrace;

/**
 * The offset between JFR's clock (epoch nanoseconds) and {@code System.nanoTime()},
 * estimated from marker events: each marker carries the {@code nanoTime} read just
 * before it was committed, and JFR stamps it at the commit, so every sample is the
 * true offset plus the delay between the two reads, never less. The best estimate
 * is the smallest sample of a recent window ({@value #WINDOW} samples, one per JFR
 * flush), which follows slow drift and ignores samples a preemption delayed.
 * Thread-safe.
 */
final class ClockOffset {
    static final int WINDOW = 32;

    private final long[] samples = new long[WINDOW];
    private int count;
    private int next;
    private volatile long offset;
    private volatile boolean measured;

    /** @param coarse the offset to use until the first sample */
    ClockOffset(long coarse) {
        this.offset = coarse;
    }

    /**
     * @param jfrEpochNanos the marker's JFR timestamp
     * @param nanoTime the {@code System.nanoTime()} it carries
     */
    synchronized void sample(long jfrEpochNanos, long nanoTime) {
        samples[next] = jfrEpochNanos - nanoTime;
        next = (next + 1) % WINDOW;
        count = Math.min(count + 1, WINDOW);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            best = Math.min(best, samples[i]);
        }
        offset = best;
        measured = true;
    }

    /** @return JFR epoch nanoseconds minus {@code nanoTime}, best estimate so far */
    long offset() {
        return offset;
    }

    /** @return whether a marker has been measured */
    boolean measured() {
        return measured;
    }
}
