package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.internal.format.EventEncoder;
import org.junit.jupiter.api.Test;

/**
 * Review 81 D2 (b4f2f47: a begin's snapshot is taken after its claim, outside the task's
 * monitor); its D1 is {@code EarlierBeginTest.anAttributeQueuedApartDuringTheDetachsSecondPassReachesTheLeavingOutput}.
 */
class Review81Test {
    private static Task withAllKeysKept() {
        Task t = new Task(424242, 0, "x", System.nanoTime());
        for (int i = 0; i < Task.MAX_KEPT_ATTRIBUTES; i++) {
            t.keep("k" + i, "v", 1);
        }
        return t;
    }

    /**
     * D2 (the reviewer's test): a key past the kept bound, kept by another thread between a
     * claim for epoch 5 and the claiming thread's snapshot, was recorded under 5: an output
     * attached at 5 has it as its own event. The begin counted it lost to that output (1
     * dropped for a value the output holds). Fails before (expected 0, was 1).
     */
    @Test
    void aCutKeyKeptAfterTheClaimUnderItsEpochIsNotCountedCut() {
        Task t = withAllKeysKept();
        EarlierBegin e = new EarlierBegin(1, "th", t, 0, 5, EventEncoder.NO_STACK);
        assertThat(t.claimBegin(0, 5)).isTrue();
        t.keep("k17", "v", 5); // X's keep between T's claim and T's snapshot: its event is under 5
        e.fill(t.keptAttributes());
        assertThat(e.attributesCut(5)).as("output attached at 5 has k17 as its own event").isZero();
    }

    /** The other side: an output attached after every call of a cut key lacks it, and is told; each cut key once. */
    @Test
    void aCutKeyIsCountedLostToOutputsAttachedAfterItsCalls() {
        Task t = withAllKeysKept();
        t.keep("k17", "a", 2);
        t.keep("k17", "b", 3); // the same key again: one key lost, not two
        t.keep("k18", "c", 6);
        EarlierBegin e = new EarlierBegin(1, "th", t, 0, 9, EventEncoder.NO_STACK);
        assertThat(t.claimBegin(0, 9)).isTrue();
        e.fill(t.keptAttributes());
        assertThat(e.attributesCut(3)).as("attached at 3: has k17 (recorded under 3) and k18").isZero();
        assertThat(e.attributesCut(4)).as("attached at 4: lacks k17 only").isEqualTo(1);
        assertThat(e.attributesCut(7)).as("attached at 7: lacks both").isEqualTo(2);
        assertThat(e.events(7)).as("the begin, the 16 kept values and the 2 cut keys").isEqualTo(1 + 16 + 2);
    }
}
