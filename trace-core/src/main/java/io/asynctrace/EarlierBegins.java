package io.asynctrace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The queue of one recording's {@link EarlierBegin}s: begins of tasks met again in a new
 * epoch (and attributes kept after such a claim), queued by application threads, taken by
 * the writer thread for the segment it cuts, which gives each to the outputs that lack it.
 * At most {@link #MAX_QUEUED} wait at once; past it a begin is dropped, counted, and tried
 * again at the task's next event.
 *
 * <h2>Assumptions and guarantees: attributes in flight at a claim</h2>
 * <ul>
 *   <li>{@link Task#attr} records its event under the epoch it reads, then keeps the value
 *       (under the task's attribute lock, which the claim's snapshot takes too): a claim
 *       for a newer epoch made in between takes the task's attributes without it, and the
 *       value is then queued apart ({@link #attribute}) for the outputs attached in between.
 *       A thread descheduled there may queue it after such an output has left (review of
 *       session 6: lost, uncounted).</li>
 *   <li>So each such call is counted in {@link Task#attributesInFlight()} from before its
 *       epoch read until its value is kept or queued apart; a claim that wins reads that
 *       count after its claim and before it settles its begin, and if another thread's call
 *       is under way (its own call, if its event is one, is not: its value is recorded under
 *       the claim's epoch) the begin is listed as {@link #unsure}. A call that read
 *       an epoch older than an output's attach read it before the attach, so before any
 *       claim for that output: the claim sees it counted, unless it was over, its value
 *       kept before the claim's snapshot (in the begin) or queued apart before the count
 *       went down.</li>
 *   <li>A detach, once its final segment took the queue and its second pass is over (so the
 *       wait takes nothing from that pass's budget), waits (within its one deadline) for the
 *       calls on the tasks of the unsure begins its sink got ({@link #awaitKeeps}):
 *       those tasks are listed before the second pass ({@link #closing}), whose segments
 *       take the queue for the other outputs and let the unsure begins of calls over by then
 *       go; what those calls queued apart for the leaving output is set aside as those
 *       segments take it (review 81 D1: lost, uncounted). What they queued apart by then
 *       goes with its final segment (the queue is read, not taken: the other outputs get
 *       them as usual); each call still under way at the
 *       deadline counts one event lost to it (one too many if its value needed no queueing
 *       apart, never too few). A begin an unsure claim queued after the final segment took
 *       the queue is for an event after it, not the leaving output's. The count tells no call
 *       from another (review 72 D1, the part left): a call begun after the claim, under the
 *       output's own epoch, still under way at the detach is waited for too, and if it stays
 *       under way to the deadline (a thread descheduled in it, or threads that set the task's
 *       attributes without a pause all through the wait) it counts one too many. A two-phase
 *       count per task (HdrHistogram's {@code WriterReaderPhaser}) would tell them apart.</li>
 *   <li>Left as is at stop: a call under way as the recording stops may or may not reach
 *       the outputs, as any event emitted while {@code stop()} runs.</li>
 * </ul>
 */
final class EarlierBegins {
    /** The most begins waiting at once. */
    static final int MAX_QUEUED = 1 << 16;

    private final Recorder recorder;
    private final ConcurrentLinkedQueue<EarlierBegin> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /**
     * Begins confirmed while an attribute call on their task was under way (see the class
     * javadoc); the writer lets each go once it saw no call under way on its task.
     */
    private final ConcurrentLinkedQueue<Unsure> unsure = new ConcurrentLinkedQueue<>();
    /** From {@link #closing} to {@link #awaitKeeps} of a detach (writer thread only); else null. */
    private Closing closing;

    /** A detach's leaving output: the tasks it waits for, and what was queued apart for it on them meanwhile. */
    private record Closing(int attachEpoch, List<Task> tasks, List<EarlierBegin> apart) {
        boolean needs(EarlierBegin e) {
            return e.attributeAlone() && e.neededBy(attachEpoch) && tasks.stream().anyMatch(t -> t.id == e.task);
        }
    }
    /** Begins the writer gave up waiting for, until their threads say whether they were lost; writer thread only. */
    private final List<EarlierBegin> abandoned = new ArrayList<>();
    /** For tests: told, on the claiming thread, each {@link #QUEUED}, {@link #CLAIM_WON} and {@link #ABANDONED_CLAIM_WON} of {@link #begin}. */
    volatile java.util.function.BiConsumer<Integer, EarlierBegin> claimStageForTest;
    /** {@link #claimStageForTest}: a begin is queued, not claimed yet. */
    static final int QUEUED = 0;
    /** {@link #claimStageForTest}: a claim won on a begin the writer had given up on, not undone yet. */
    static final int ABANDONED_CLAIM_WON = 1;
    /** {@link #claimStageForTest}: a claim won, its attributes not taken yet. */
    static final int CLAIM_WON = 2;

    private void claimStage(int stage, EarlierBegin e) {
        java.util.function.BiConsumer<Integer, EarlierBegin> hook = claimStageForTest;
        if (hook != null) {
            hook.accept(stage, e);
        }
    }

    /** For tests: run on the writer thread when a detach starts waiting for attribute calls under way. */
    volatile Runnable awaitingKeepsForTest;

    /** A begin claimed while an attribute call on {@link #task} was under way. */
    private record Unsure(EarlierBegin begin, Task task) {
    }

    /** What a detach found of the attribute calls its sink's unsure begins waited for. */
    record Keeps(List<EarlierBegin> apart, long lost) {
        static final Keeps NONE = new Keeps(List.of(), 0);
    }

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
        // A begin the writer gave up on whose claim lost or was undone here: nothing is lost once the begin
        // that takes its place is queued (or another claim's covers it), so it is resolved only then.
        EarlierBegin retried = null;
        for (int known = t.knownBegin(); known < now; known = t.knownBegin()) {
            // Made before a slot is taken, outside any lock: an Error here (out of memory) costs the queue nothing.
            EarlierBegin e = new EarlierBegin(st.threadId, st.name, t, known, now, t.beginStack(recorder.serial));
            if (queued.incrementAndGet() > MAX_QUEUED) {
                queued.decrementAndGet();
                recorder.dropped.incrementAndGet(); // not claimed: its next event tries again
                resolve(retried); // the drop just counted stands for it
                return;
            }
            queue.add(e);
            retried = resolve(retried);
            claimStage(QUEUED, e);
            boolean won = t.claimBegin(known, now);
            Unsure maybe = null;
            if (won) {
                boolean filled = false;
                try {
                    claimStage(CLAIM_WON, e);
                    // After the claim: a value kept before is in it, one kept after sees the claim (KeptAttributes).
                    e.fill(t.keptAttributes());
                    filled = true;
                    // Read after the claim, before the writer may take e; a call of this thread's on t is no other's.
                    if (t.attributesInFlight() > (st.attributing == t ? 1 : 0)) {
                        Unsure u = new Unsure(e, t);
                        unsure.add(u);
                        maybe = u;
                    }
                } catch (RuntimeException | VirtualMachineError x) {
                    // Out of memory (or stack) in the snapshot or the list, after a claim that stands: the begin
                    // still goes, settled at once (the writer never waits a second for it), and what it cannot carry
                    // is counted where it is written; the Error never reaches the application (review 81 R1).
                    int others = Math.max(0, t.attributesInFlight() - (st.attributing == t ? 1 : 0));
                    e.notCarried(filled ? others : t.keptKeys() + others); // at most: see EarlierBegin#notCarried
                }
            }
            if (e.settle(won)) {
                if (won) {
                    recorder.writer.wake();
                    return;
                }
                continue; // another thread's claim won: claim again if it was for an older epoch
            }
            // The writer gave up waiting for it (see take).
            if (maybe != null) {
                unsure.remove(maybe);
            }
            if (won) {
                claimStage(ABANDONED_CLAIM_WON, e);
                // Its begin is nowhere: the claim is undone and the begin queued again (review 61 R3), or, if a
                // newer claim came first, lost (counted by the writer: review 63 R3).
                if (!t.unclaimBegin(now, known)) {
                    e.resolve(true);
                    return;
                }
            }
            retried = e; // queued again below, or covered by the claim that ends the loop
        }
        resolve(retried);
    }

    /** @return null, once {@code e} (if any) is resolved as not lost */
    private static EarlierBegin resolve(EarlierBegin e) {
        if (e != null) {
            e.resolve(false);
        }
        return null;
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
    List<EarlierBegin> take(List<Sink> sinks) {
        unsure.removeIf(u -> u.task.attributesInFlight() == 0); // its calls kept their values, or queued them
        countResolved(sinks);
        if (queue.isEmpty()) {
            return List.of();
        }
        List<EarlierBegin> taken = new ArrayList<>();
        EarlierBegin e;
        long deadline = System.nanoTime() + EarlierBegin.SETTLE_WAIT_NANOS;
        while ((e = queue.poll()) != null) {
            queued.decrementAndGet();
            if (closing != null && closing.needs(e)) {
                closing.apart.add(e); // the leaving output's too: for its final segment (awaitKeeps)
            }
            if (e.awaitSettled(deadline)) {
                e.taken = true;
                taken.add(e);
            } else if (e.givenUp()) {
                abandoned.add(e); // counted once its thread says it was lost, or as an output leaves before that
            }
        }
        return taken;
    }

    /** Counts the abandoned begins their threads since said were lost, in each of {@code sinks} that needs them. */
    private void countResolved(List<Sink> sinks) {
        for (java.util.Iterator<EarlierBegin> it = abandoned.iterator(); it.hasNext(); ) {
            EarlierBegin e = it.next();
            if (e.lost()) {
                for (Sink s : sinks) {
                    lostTo(e, s);
                }
            } else if (!e.resolved()) {
                continue; // its thread has not come back
            }
            it.remove();
        }
    }

    /**
     * Writer thread, as {@code leaving} leaves (or the recording stops), once its final
     * segment took the queue: counts in it the abandoned begins it needs that are lost, or
     * whose thread has not said yet (it may still queue them again, for the outputs that stay).
     */
    void countAbandoned(Sink leaving) {
        for (EarlierBegin e : abandoned) {
            if (!e.resolved()) {
                lostTo(e, leaving);
            }
        }
    }

    private static void lostTo(EarlierBegin e, Sink s) {
        if (e.neededBy(s.attachEpoch())) {
            s.lost(e.events(s.attachEpoch()));
        }
    }

    /**
     * Writer thread, at a detach, once the leaving sink's final segment took the queue: waits,
     * until {@code deadline}, for the attribute calls under way on the tasks of the unsure
     * begins a sink attached at {@code attachEpoch} gets (see the class javadoc).
     *
     * @return the attributes those calls queued apart that the sink needs, still queued (for
     *     its final segment), and how many calls were still under way (lost to it)
     */
    Keeps awaitKeeps(int attachEpoch, long deadline) {
        Closing c = closing;
        closing = null;
        if (c == null || c.attachEpoch != attachEpoch) {
            c = listed(attachEpoch);
        }
        List<Task> tasks = c.tasks;
        if (tasks.isEmpty()) {
            return Keeps.NONE;
        }
        Runnable hook = awaitingKeepsForTest;
        if (hook != null) {
            hook.run();
        }
        long lost = 0;
        for (Task t : tasks) {
            for (int tries = 0; t.attributesInFlight() > 0 && System.nanoTime() - deadline < 0; tries++) {
                if (tries < 256) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000);
                }
            }
            lost += t.attributesInFlight(); // read before the queue below: a call over by now queued its value
        }
        List<EarlierBegin> apart = new ArrayList<>(c.apart);
        for (EarlierBegin e : queue) {
            if (c.needs(e)) {
                apart.add(e);
            }
        }
        return new Keeps(apart, lost);
    }

    /**
     * Writer thread, at a detach, once the leaving sink's final segment took the queue and
     * before its second pass: lists the tasks {@link #awaitKeeps} waits for, and from now on
     * sets aside what a segment takes that was queued apart for that sink on them.
     */
    void closing(int attachEpoch) {
        closing = listed(attachEpoch);
    }

    private Closing listed(int attachEpoch) {
        List<Task> tasks = new ArrayList<>();
        for (Unsure u : unsure) {
            if (u.begin.taken && u.begin.neededBy(attachEpoch) && !tasks.contains(u.task)) {
                tasks.add(u.task);
            }
        }
        return new Closing(attachEpoch, tasks, new ArrayList<>());
    }
}
