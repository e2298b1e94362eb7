package io.asynctrace.tool;

import io.asynctrace.reader.TraceHeader;
import java.util.List;

/**
 * Aligns the clocks of the inputs of {@code merge}: each input's event times map to
 * wall-clock time through its header's wall base, and where traceparent links join
 * two inputs, the callee's clock is corrected so that its request tasks fall inside
 * the caller's client spans.
 *
 * <p>Each timed link (client span {@code [s0, s1]} in input C, request task
 * {@code [t0, t1]} in input E, all as wall-clock times) bounds the correction:
 * {@code s0 - t0 <= cE - cC <= s1 - t1}. The bounds of all links between two inputs
 * are intersected. The first input keeps its clock ({@code c = 0}); then, in input
 * order, each input linked to inputs already placed gets {@code c = 0} when that
 * satisfies every bound (its wall clock agrees), else the centre of the allowed
 * interval — for one link, the callee task centred in the client span; when the
 * bounds contradict each other (clock drift, clock steps), the centre still
 * minimises the largest violation, and a warning says so. An input linked to none
 * of the placed ones keeps its wall clock.
 */
final class ClockAlignment {
    /** Bounds on {@code c[callee] - c[caller]} from the timed links of one caller/callee pair. */
    private static final class Bounds {
        long lo = Long.MIN_VALUE;
        long hi = Long.MAX_VALUE;
        int links;
    }

    private ClockAlignment() {
    }

    /**
     * Sets every input's {@link MergeInput#correction}, {@link MergeInput#clockNote}
     * and {@link MergeInput#shift}.
     *
     * @param inputs the inputs, headers read
     * @param links the joined links, times read
     * @param warnings receives one line per contradiction
     * @return the merged trace's header: the earliest corrected wall base
     */
    static TraceHeader align(List<MergeInput> inputs, List<MergeLinks.Link> links, List<String> warnings) {
        int n = inputs.size();
        Bounds[][] bounds = new Bounds[n][n];
        for (MergeLinks.Link l : links) {
            if (!l.timed() || l.caller == l.callee) {
                continue;
            }
            long wc = l.caller.header.wallBaseNanos();
            long we = l.callee.header.wallBaseNanos();
            Bounds b = bounds[l.caller.index][l.callee.index];
            if (b == null) {
                b = bounds[l.caller.index][l.callee.index] = new Bounds();
            }
            b.lo = Math.max(b.lo, wc + l.spanStart - (we + l.taskStart));
            b.hi = Math.min(b.hi, wc + l.spanEnd - (we + l.taskEnd));
            b.links++;
        }
        boolean[] placed = new boolean[n];
        for (int done = 0; done < n; done++) {
            int next = -1;
            for (int j = 0; j < n && next < 0; j++) {
                if (!placed[j] && linkedToPlaced(bounds, placed, j)) {
                    next = j;
                }
            }
            if (next < 0) { // the first input, or one with no links to those placed
                for (int j = 0; j < n && next < 0; j++) {
                    if (!placed[j]) {
                        next = j;
                    }
                }
                MergeInput in = inputs.get(next);
                in.correction = 0;
                in.clockNote = "wall clock" + (next == 0 ? " (reference)" : ", no timed link to the inputs before it");
            } else {
                place(inputs, bounds, placed, next, warnings);
            }
            placed[next] = true;
        }
        MergeInput first = inputs.get(0);
        for (MergeInput in : inputs) {
            if (in.correctedBase() < first.correctedBase()) {
                first = in;
            }
        }
        for (MergeInput in : inputs) {
            in.shift = in.correctedBase() - first.correctedBase();
        }
        return new TraceHeader(first.header.version(), first.correctedBase(), first.header.monotonicBase());
    }

    private static boolean linkedToPlaced(Bounds[][] bounds, boolean[] placed, int j) {
        for (int i = 0; i < placed.length; i++) {
            if (placed[i] && (bounds[i][j] != null || bounds[j][i] != null)) {
                return true;
            }
        }
        return false;
    }

    private static void place(List<MergeInput> inputs, Bounds[][] bounds, boolean[] placed, int j, List<String> warnings) {
        long lo = Long.MIN_VALUE;
        long hi = Long.MAX_VALUE;
        int count = 0;
        StringBuilder with = new StringBuilder();
        for (int i = 0; i < placed.length; i++) {
            if (!placed[i]) {
                continue;
            }
            long ci = inputs.get(i).correction;
            Bounds asCallee = bounds[i][j];
            Bounds asCaller = bounds[j][i];
            if (asCallee != null) {
                lo = Math.max(lo, ci + asCallee.lo);
                hi = Math.min(hi, ci + asCallee.hi);
                count += asCallee.links;
            }
            if (asCaller != null) {
                lo = Math.max(lo, ci - asCaller.hi);
                hi = Math.min(hi, ci - asCaller.lo);
                count += asCaller.links;
            }
            if (asCallee != null || asCaller != null) {
                with.append(with.length() == 0 ? "" : ", ").append(inputs.get(i).label);
            }
        }
        MergeInput in = inputs.get(j);
        String links = count + (count == 1 ? " link" : " links") + " with " + with;
        if (lo <= 0 && 0 <= hi) {
            in.correction = 0;
            in.clockNote = "wall clock, consistent with " + links;
            return;
        }
        in.correction = lo + (hi - lo) / 2;
        in.clockNote = "corrected by " + signed(in.correction) + " ns from " + links
                + " (callee tasks centred in their caller spans)";
        if (lo > hi) {
            warnings.add(in.label + ": its " + links + " disagree by " + (lo - hi)
                    + " ns (clock drift or a clock step while recording): after the correction of "
                    + signed(in.correction) + " ns some callee tasks still overrun their caller spans by up to "
                    + (lo - hi + 1) / 2 + " ns");
        }
    }

    static String signed(long v) {
        return v >= 0 ? "+" + v : Long.toString(v);
    }
}
