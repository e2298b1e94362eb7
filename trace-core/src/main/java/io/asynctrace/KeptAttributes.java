package io.asynctrace;

import java.util.Arrays;

/**
 * The attributes one task keeps while recording, for the begins it gets again in outputs
 * attached after them ({@link EarlierBegin}): the latest value of each of its first
 * {@link Task#MAX_KEPT_ATTRIBUTES} keys (cut as the recorder cuts them), and how many keys
 * past those it was given. Made at the task's first attribute, grown four keys at a time;
 * a value set again allocates nothing.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Guarded by its own monitor, never exposed. It is held for a bounded few dozen
 *       instructions: a {@link #keep} compares at most {@link Task#MAX_KEPT_ATTRIBUTES} +
 *       {@link Task#MAX_CUT_KEYS} keys and stores one value (growing by four keys at most),
 *       a {@link #snapshot} copies at most {@link Task#MAX_KEPT_ATTRIBUTES} pairs; no wait,
 *       no I/O inside. Only threads that set attributes on the task take it (once per
 *       call), and a thread whose event claims the task's earlier begin (once per task and
 *       attached output, only if the task has attributes): a thread of a shared task waits
 *       for another only that long, unless that one is descheduled inside (as with any
 *       monitor). A lock-free keep would let a claim's snapshot and a keep that saw the claim
 *       both carry a value (twice); a monitor held this briefly is the price.</li>
 *   <li>Each value carries how far the outputs get it otherwise ({@link #covered}): a value
 *       recorded under epoch {@code r} reaches, as its own event, the outputs attached at or
 *       before {@code r}; if its keep finds the task's begin claimed for a newer epoch
 *       {@code k} (that claim's snapshot may lack it), it is queued apart for those attached
 *       in {@code (r, k]} ({@link Task#keepRecorded}). A begin's snapshot gives it to an
 *       output attached at {@code A} only if {@code A} is past both: so an output never gets
 *       a value twice, and one recorded after the claim (its own event) is never stamped at
 *       the task's start. A key past the bound carries such an epoch too (the newest of its
 *       calls'): a begin counts it lost only to outputs attached past it, never to one that
 *       has a value of it as its own event or queued apart.</li>
 *   <li>A claim takes its snapshot after its claim ({@link EarlierBegins#begin}): a keep
 *       before the snapshot is in it (and read the claim if it came after it, so it is
 *       covered past it), a keep after the snapshot reads the claim, and queues apart.</li>
 * </ul>
 */
final class KeptAttributes {
    private static final int GROW = 4;
    private static final int[] NONE = new int[0];

    /** key, value, key, value... for {@link #count} keys. */
    private String[] pairs = new String[2 * GROW];
    /** Per kept key: the newest epoch whose outputs get its value otherwise (see the class javadoc). */
    private int[] covered = new int[GROW];
    private int count;
    /** Keys past the bound, remembered to count each once; made at the first. */
    private String[] cutKeys;
    /** Per cut key: the newest epoch whose outputs get one of its values otherwise, as {@link #covered}. */
    private int[] cutCovered;
    private int cutCount;
    /** Calls with a key neither kept nor remembered as cut. */
    private int past;

    /**
     * What a begin carries: key, value, ... (never changed), each key's {@link #covered}, and
     * the keys it does not keep: each remembered cut key's covered epoch, and how many calls
     * named a key past those too ({@code past}, counted for every output that needs the begin).
     */
    record Snapshot(String[] attributes, int[] covered, int[] cutCovered, int past) {
        /** @return how many keys an output attached at {@code attachEpoch} lacks: those it gets no value of otherwise */
        int cut(int attachEpoch) {
            int n = past;
            for (int c : cutCovered) {
                n += c < attachEpoch ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * Keeps {@code value} (already cut) of {@code key}, recorded under epoch {@code recorded}.
     *
     * @return the task's {@link Task#knownBegin()}, read under the monitor after the value is stored
     */
    synchronized int keep(Task task, String key, String value, int recorded) {
        int i = indexOf(key);
        if (i < 0 && count < Task.MAX_KEPT_ATTRIBUTES) {
            if (count == covered.length) {
                pairs = Arrays.copyOf(pairs, pairs.length + 2 * GROW);
                covered = Arrays.copyOf(covered, covered.length + GROW);
            }
            i = count++;
            pairs[2 * i] = key;
        }
        if (i < 0) {
            int known = task.knownBegin();
            cut(key, Math.max(recorded, known)); // as a kept key's covered: an output attached up to it has a value
            return known;
        }
        pairs[2 * i + 1] = value;
        int known = task.knownBegin();
        covered[i] = Math.max(recorded, known); // past `recorded`, the value is queued apart up to `known`
        return known;
    }

    private int indexOf(String key) {
        for (int i = 0; i < count; i++) {
            if (pairs[2 * i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private void cut(String key, int cov) {
        for (int i = 0; i < cutCount; i++) {
            if (cutKeys[i].equals(key)) {
                cutCovered[i] = Math.max(cutCovered[i], cov); // counted once: an output that got any value has the key
                return;
            }
        }
        if (cutCount < Task.MAX_CUT_KEYS) {
            if (cutKeys == null) {
                cutKeys = new String[Task.MAX_CUT_KEYS];
                cutCovered = new int[Task.MAX_CUT_KEYS];
            }
            cutCovered[cutCount] = cov;
            cutKeys[cutCount++] = key;
        } else {
            past++;
        }
    }

    /**
     * @return the keys kept, the cut keys remembered and the calls past those: the most a
     *     begin that carries none of them lacks (allocates nothing: for a failed {@link #snapshot})
     */
    synchronized int keys() {
        return count + cutCount + past;
    }

    /** @return a copy of what is kept now, for the begin a thread claims ({@link EarlierBegins#begin}) */
    synchronized Snapshot snapshot() {
        return new Snapshot(count == 0 ? null : Arrays.copyOf(pairs, 2 * count), Arrays.copyOf(covered, count),
                cutCount == 0 ? NONE : Arrays.copyOf(cutCovered, cutCount), past);
    }
}
