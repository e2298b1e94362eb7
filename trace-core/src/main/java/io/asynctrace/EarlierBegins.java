package io.asynctrace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queue of one recording's {@link EarlierBegin}s: begins of tasks met again in a new
 * epoch (and attributes kept after such a claim), queued by application threads, taken by
 * the writer thread for the segment it cuts, which gives each to the outputs that lack it.
 * At most {@link #MAX_QUEUED} wait at once; past it a begin is dropped, counted, and tried
 * again at the task's next event.
 */
final class EarlierBegins {
    /** The most begins waiting at once. */
    static final int MAX_QUEUED = 1 << 16;

    private final Recorder recorder;
    private final ConcurrentLinkedQueue<EarlierBegin> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();

    EarlierBegins(Recorder recorder) {
        this.recorder = recorder;
    }

    /** @return whether none is queued */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * The cold path of {@code Recorder.ensureTask}: queues the task's begin for the writer, which
     * gives it to the outputs that lack it ({@link EarlierBegin}), then claims it. Queued
     * first, so that no other thread of the task sees its begin as known for this epoch
     * before it is queued (and writes an event an output could get without it); of the
     * threads that race here, the one whose claim wins has its begin confirmed, the others'
     * are void.
     */
    void begin(ThreadState st, Task t, int now) {
        // Until a claim for this epoch (or a later one) is made: a thread that read an older epoch
        // may win the task's claim for it and void ours, which an output of this epoch still needs.
        for (int known = t.knownBegin(); known < now; known = t.knownBegin()) {
            EarlierBegin e;
            boolean won;
            synchronized (t.attributesLock()) { // an attribute kept meanwhile is in e, or sees the claim (Task.keep)
                // Made before a slot is taken: an Error here (out of memory) costs the queue nothing.
                e = new EarlierBegin(st.threadId, st.name, t, known, now, t.beginStack(recorder.serial));
                if (queued.incrementAndGet() > MAX_QUEUED) {
                    queued.decrementAndGet();
                    recorder.dropped.incrementAndGet(); // not claimed: its next event tries again
                    return;
                }
                queue.add(e);
                won = t.claimBegin(known, now);
            }
            boolean settled = e.settle(won);
            if (won && settled) {
                recorder.writer.wake();
                return;
            }
            if (won) {
                // The writer gave up waiting for it (and counted it dropped): its begin is nowhere, so the
                // claim is undone and the begin queued again (review 61 R3).
                t.unclaimBegin(now, known);
            }
        }
    }

    /**
     * Queues, for the outputs attached after {@code recorded} up to {@code known}, an
     * attribute of {@code t} recorded under {@code recorded} and kept after a thread
     * claimed the task's begin for {@code known} without it (see {@link Task#keepRecorded}).
     */
    void attribute(ThreadState st, Task t, long ts, int recorded, int known, String key, String value) {
        EarlierBegin e = EarlierBegin.attribute(st.threadId, st.name, t, recorded, known, ts, key, value);
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            recorder.dropped.incrementAndGet();
            return;
        }
        queue.add(e);
    }

    /**
     * Takes the queued earlier begins, for the segment being cut (writer thread): each
     * once its claim is decided ({@link EarlierBegin#awaitSettled}, a second at most for
     * them all), only the confirmed ones.
     */
    List<EarlierBegin> take() {
        if (queue.isEmpty()) {
            return List.of();
        }
        List<EarlierBegin> taken = new ArrayList<>();
        EarlierBegin e;
        long deadline = System.nanoTime() + EarlierBegin.SETTLE_WAIT_NANOS;
        while ((e = queue.poll()) != null) {
            queued.decrementAndGet();
            if (e.awaitSettled(deadline)) {
                taken.add(e);
            } else if (e.abandoned()) {
                recorder.dropped.incrementAndGet(); // its thread never decided in time: queued again if it wins
            }
        }
        return taken;
    }
}
