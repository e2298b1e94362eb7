package io.asynctrace.tool;

import org.HdrHistogram.Histogram;

/**
 * Latencies of one task type or span name: count, percentiles (HdrHistogram, two
 * significant digits, so within 1%) and a log-scale histogram with five buckets per
 * decade, as {@code go tool trace} draws them. Bucket {@code i} holds durations
 * {@code d} with {@code bound(i) <= d < bound(i + 1)}, where
 * {@code bound(i) = round(10^(i/5))} ns; bucket 0 also holds 0 ns.
 *
 * <p>Memory is constant (a few KiB) whatever the number of values. Not thread-safe.
 */
final class Latency {
    /** Buckets per decade. */
    static final int PER_DECADE = 5;
    /** Buckets up to 10^14 ns (about 28 hours); longer durations go in the last one. */
    static final int BUCKETS = 14 * PER_DECADE;
    private static final long[] BOUNDS = new long[BUCKETS + 1];

    static {
        for (int i = 0; i <= BUCKETS; i++) {
            BOUNDS[i] = Math.round(Math.pow(10, i / (double) PER_DECADE));
        }
    }

    private final Histogram histogram = new Histogram(2);
    /** The log-scale histogram, or null when only percentiles are wanted (spans). */
    private final long[] buckets;
    /** Values seen, complete or not. */
    long count;
    /** Values recorded (with a known duration). */
    long complete;
    private long max = -1;

    /** @param withBuckets whether to keep the log-scale histogram too (task types), or only percentiles (span names) */
    Latency(boolean withBuckets) {
        this.buckets = withBuckets ? new long[BUCKETS] : null;
        histogram.setAutoResize(true);
    }

    /** Counts an instance whose duration is not known (never ended). */
    void countIncomplete() {
        count++;
    }

    /** Records one duration in nanoseconds; negative values count as 0. */
    void record(long nanos) {
        long v = Math.max(0, nanos);
        count++;
        complete++;
        histogram.recordValue(v);
        if (buckets != null) {
            buckets[bucket(v)]++;
        }
        if (v > max) {
            max = v;
        }
    }

    /** @return the duration at {@code percentile} (0 to 100), or -1 if nothing was recorded */
    long percentile(double percentile) {
        if (complete == 0) {
            return -1;
        }
        return Math.min(max, histogram.getValueAtPercentile(percentile));
    }

    /** @return the largest recorded duration, or -1 */
    long max() {
        return max;
    }

    /** @return the count in bucket {@code i} (0 without buckets) */
    long bucketCount(int i) {
        return buckets == null ? 0 : buckets[i];
    }

    /** @return the lower bound of bucket {@code i} (0 for bucket 0), in ns */
    static long lowerBound(int i) {
        return i == 0 ? 0 : BOUNDS[i];
    }

    /** @return the exclusive upper bound of bucket {@code i}, in ns */
    static long upperBound(int i) {
        return i == BUCKETS - 1 ? Long.MAX_VALUE : BOUNDS[i + 1];
    }

    /** @return the bucket holding {@code nanos} */
    static int bucket(long nanos) {
        int lo = 0;
        int hi = BUCKETS - 1;
        // Largest i with BOUNDS[i] <= nanos (bucket 0 for anything below 1 ns).
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (BOUNDS[mid] <= nanos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
