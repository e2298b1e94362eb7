package io.asynctrace.tool;

import java.util.Arrays;

/**
 * The time windows of the tasks {@code tasks} shows (each task's begin to end),
 * merged and sorted, so that pass two keeps only the runtime events that can be
 * attributed to one of them. Immutable.
 */
final class RuntimeWindows {
    /** No windows: no runtime event is kept. */
    static final RuntimeWindows NONE = new RuntimeWindows(new long[0], new long[0]);

    private final long[] starts;
    private final long[] ends;

    private RuntimeWindows(long[] starts, long[] ends) {
        this.starts = starts;
        this.ends = ends;
    }

    /**
     * @param from the windows' starts
     * @param to the windows' ends, {@code to[i] >= from[i]}; both arrays are sorted in place
     * @param n how many windows
     * @return the union of {@code [from[i], to[i]]}
     */
    static RuntimeWindows of(long[] from, long[] to, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(from[a], from[b]));
        long[] s = new long[n];
        long[] e = new long[n];
        int m = 0;
        for (int k = 0; k < n; k++) {
            long a = from[order[k]];
            long b = Math.max(a, to[order[k]]);
            if (m > 0 && a <= e[m - 1]) {
                e[m - 1] = Math.max(e[m - 1], b);
            } else {
                s[m] = a;
                e[m] = b;
                m++;
            }
        }
        return new RuntimeWindows(Arrays.copyOf(s, m), Arrays.copyOf(e, m));
    }

    /** @return whether {@code [from, to]} meets a window (touching counts) */
    boolean overlaps(long from, long to) {
        // the last window starting at or before `to`
        int i = Arrays.binarySearch(starts, to);
        if (i < 0) {
            i = -i - 2;
        }
        return i >= 0 && ends[i] >= from;
    }
}
