package io.asynctrace;

import io.asynctrace.internal.format.EventEncoder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer thread's half that takes bytes out of the recording's buffers: full ones
 * from {@link Recorder#full}, what live leased buffers committed (stolen), the tails
 * their owners have not re-emitted, the stripes (under their lock), the buffers of
 * threads that died. Each batch taken goes to {@link SegmentWriter} as one unit,
 * with the epoch it was written under and its event count ({@link Units}); segmenting
 * and handing segments to the sinks is the writer's. Writer thread only.
 *
 * <p>Waiting: a stripe is waited for (a second) only when everything is to be taken
 * (a flush, an attach, a detach, stop); a holder waited for in vain is waited for only a
 * millisecond later on, and every stripe left out is counted ({@link #stripesSkipped}).
 * The closing sweep of a detach also waits out threads swapping their leased buffer
 * ({@link ThreadState#refilling}) and copies the task begins the leaving sink still
 * needs ({@link #closing(ClosingBegins)}): see {@link SegmentWriter}, "a sink detached
 * mid-way". A detach waits at most {@link #DETACH_WAIT_NANOS} in all, both passes
 * together.
 */
final class BufferCollector {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    private static final byte[] NO_HEADER = new byte[0];
    /** How long a collect that takes everything waits for a stripe's lock. */
    static final long STRIPE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a collect waits for a stripe whose holder it waited for in vain before. */
    private static final long STUCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The most a detach waits in all, its two passes together (held stripes, threads mid
     * buffer swap): past it, it only tries what is busy, and counts what it leaves out.
     */
    static final long DETACH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A deadline that never comes: each wait has only its own bound. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Where the units taken go: {@link SegmentCutter}'s pending segment. */
    interface Units {
        /**
         * Takes {@code header[0, headerLength)} (a BATCH_RESUME, or nothing) then
         * {@code src[offset, offset + length)}, holding {@code events} events written under {@code epoch}.
         */
        void add(int epoch, byte[] header, int headerLength, byte[] src, int offset, int length, int events);
    }

    private final Recorder recorder;
    private final Units units;
    /** Times a collect waited {@link #STRIPE_WAIT_NANOS} for a stripe in vain (tests read it after). */
    private volatile int stripeWaitsInVain;
    /** Stripes a collect that was to take everything could not lock, so far. */
    private volatile long stripesSkipped;
    /** Stripes the last {@link #takeStripes} could not lock. */
    private final List<Stripe> skipped = new ArrayList<>();
    /** While a detach's closing sweep runs: the begins the leaving sink still needs; else null. */
    private ClosingBegins closing;
    /** For tests: run (on this thread, then cleared) when a closing sweep starts waiting for a thread mid swap, or null. */
    volatile Runnable awaitingRefillForTest;
    /** For tests: told (on this thread) each stripe index a waiting {@link #takeStripes} has just taken, or null. */
    volatile java.util.function.IntConsumer afterStripeForTest;

    BufferCollector(Recorder recorder, Units units) {
        this.recorder = recorder;
        this.units = units;
    }

    /**
     * @return how many times a collect that was to take everything (a flush, an attach, a
     *     detach, stop) left a stripe out, its holder keeping it locked; read by any thread
     */
    long stripesSkipped() {
        return stripesSkipped;
    }

    /** @return the stripes the last {@link #takeStripes} left out (a copy) */
    List<Stripe> skipped() {
        return new ArrayList<>(skipped);
    }

    /** For tests: see {@link #stripeWaitsInVain}. */
    int stripeWaitsInVainForTest() {
        return stripeWaitsInVain;
    }

    /** Starts (a collector) or ends (null) copying the begins a leaving sink needs out of every unit taken. */
    void closing(ClosingBegins begins) {
        closing = begins;
    }

    /** Frees the stripes whose holder died holding them. */
    void freeStripesOfDeadThreads() {
        for (Stripe stripe : recorder.stripes) {
            stripe.freeIfOwnerDied();
        }
    }

    /** Lets the buffers go once the recording ended: idle threads must not keep its memory. */
    void release() {
        recorder.free.clear();
        recorder.full.clear();
        recorder.retired.clear();
        for (ThreadState st : recorder.leases) {
            st.buffer = null;
            st.swapped = null;
        }
        for (Stripe s : recorder.stripes) {
            if (s.tryLock()) {
                s.buffer = null;
                s.unlock();
            }
        }
    }

    /** Takes what every buffer has committed into {@code pending}; {@code wait}: also from busy stripes. */
    void collect(boolean wait) {
        collect(wait, NO_DEADLINE);
    }

    /** {@link #collect(boolean)}, waiting for stripes until {@code deadline} at most ({@link #NO_DEADLINE}: none). */
    void collect(boolean wait, long deadline) {
        flushLeased();
        takeStripes(false, wait, deadline);
        drainFull();
    }

    /** @return the deadline of a detach's waits, both passes together: {@link #DETACH_WAIT_NANOS} from now */
    static long detachDeadline() {
        return System.nanoTime() + DETACH_WAIT_NANOS;
    }

    /**
     * Takes what every leased buffer has committed, as {@link #flushLeased} does, but also
     * what a thread is swapping buffers with ({@link ThreadState#refilling}: its old buffer
     * is then on its way to {@link Recorder#full}, or its tail on its way into a new
     * buffer), waiting that out until {@code deadline}; and, for the sink leaving, reads
     * the one event a thread may have committed past the writer's claim of its stolen
     * buffer's tail (that stays its owner's to re-emit, for the other sinks). What a thread
     * waited for in vain holds is read where it holds it ({@link #readHeld}). A thread seen
     * swapping buffers 64 times over counts one event as lost to {@code leaving} (null: at
     * stop).
     */
    void sweepClosing(Sink leaving, long deadline) {
        for (ThreadState st : recorder.leases) {
            for (int round = 0; ; round++) {
                if (!awaitRefilled(st, deadline)) {
                    if (leaving != null) {
                        readHeld(st, leaving);
                    }
                    if (swapping(st)) {
                        break;
                    }
                    continue; // its swap ended just now: take its buffer as any other (or read it again)
                }
                if (round > 64) {
                    if (leaving != null) {
                        leaving.lost(1);
                    }
                    break;
                }
                Buffer b = st.buffer;
                if (b == null) {
                    if (swapping(st)) {
                        continue;
                    }
                    break;
                }
                if (b.owned()) {
                    long c = b.committedState();
                    boolean empty = Buffer.at(c) <= b.headerEnd;
                    if (empty || b.steal(c)) {
                        if (!empty) {
                            append(b.epoch, b.data, c);
                        }
                        break;
                    }
                    continue; // handed off meanwhile: wait out the swap, then it is queued
                }
                if (b.stolen() && takeClosingTail(st, b)) {
                    break;
                }
                // handed off, or a tail its owner is re-emitting: wait out the swap
            }
        }
    }

    /**
     * A thread still swapping buffers at a detach's deadline: the buffer it swaps out
     * ({@link ThreadState#swapped}) holds all it committed that the writer has not taken
     * (the old buffer is retired only once the swap is over, and a buffer it re-emitted a
     * stolen tail into is named instead; one handed off and taken since was reset, and no
     * longer names the thread its {@link Buffer#holder}). Its begins and task attributes are
     * read in place for {@code leaving} (a copy the pass meets again, handed off, is copied
     * once); its other events recorded before the final cut are counted as lost to it.
     */
    private void readHeld(ThreadState st, Sink leaving) {
        Buffer b = st.swapped;
        ClosingBegins c = closing;
        if (c == null || b == null || b.holder != st) {
            return; // it held none, or the buffer was handed off and taken since
        }
        int from = untakenFrom(b);
        int end = Buffer.at(b.committedState());
        if (end <= Math.max(from, b.headerEnd)) {
            return;
        }
        int others;
        if (from == 0) {
            others = c.scan(b.epoch, NO_HEADER, 0, b.data, 0, end, recorder.strings.table());
        } else {
            Resume.State state = Resume.stateAt(b, from);
            byte[] header = new byte[EventEncoder.batchRoom(st.nameRef, st.name)];
            int n = Resume.header(header, 0, st, state.ts() - recorder.base, state.lastId(), state.lastTask());
            others = c.scan(b.epoch, header, n, b.data, from, end - from, recorder.strings.table());
        }
        if (others > 0) {
            leaving.lost(others);
        }
    }

    /** Where the bytes of {@code b} the writer has not taken begin (0: none taken). */
    private static int untakenFrom(Buffer b) {
        return !b.stolen() ? 0 : b.writerClaimedTail ? b.tailEnd : b.stolenAt;
    }

    /**
     * At stop, after the last drain: a thread still swapping buffers holds what it committed
     * and the writer did not take ({@link ThreadState#swapped}, still naming it its holder:
     * not handed off, or handed off after the last drain); nobody will take it now, so its
     * events are counted as dropped. One handed off before the last drain was written, and
     * reset (its holder cleared), so it is not counted.
     */
    void countHeldAtStop() {
        for (ThreadState st : recorder.leases) {
            Buffer b = st.swapped;
            if (!swapping(st) || b == null || b.holder != st) {
                continue;
            }
            long committed = b.committedState();
            int fromEvents = !b.stolen() ? 0 : b.writerClaimedTail ? b.tailEndEvents : b.stolenEvents;
            int lost = Buffer.eventsAt(committed) - fromEvents;
            if (Buffer.at(committed) > Math.max(untakenFrom(b), b.headerEnd) && lost > 0) {
                recorder.dropped.addAndGet(lost);
            }
        }
    }

    /** @return whether {@code st}'s thread is swapping buffers (a thread that died in the middle never ends it) */
    private static boolean swapping(ThreadState st) {
        return st.refilling && st.thread.isAlive();
    }

    /** Waits while {@code st} swaps buffers, until {@code deadline}; false if it still does. */
    private boolean awaitRefilled(ThreadState st, long deadline) {
        Runnable hook = awaitingRefillForTest;
        if (hook != null && swapping(st)) {
            awaitingRefillForTest = null;
            hook.run();
        }
        for (int tries = 0; swapping(st); tries++) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            if (tries < 256) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
        return true;
    }

    /**
     * The closing sweep's side of {@link #takeTail} for a live owner: false if the owner
     * claimed the tail (it is re-emitting it into a new buffer, which the sweep takes next).
     */
    private boolean takeClosingTail(ThreadState st, Buffer b) {
        long committed = b.committedState();
        int end = Buffer.at(committed);
        if (!b.writerClaimedTail) {
            if (end <= b.stolenAt) {
                return true;
            }
            b.tailEnd = end; // published by the CAS below
            b.tailEndEvents = Buffer.eventsAt(committed);
            if (!b.claimTail()) {
                return false;
            }
            b.writerClaimedTail = true;
            appendTail(st, b, b.stolenAt, end, b.tailEndEvents - b.stolenEvents);
            return true;
        }
        ClosingBegins c = closing;
        if (c != null && end > b.tailEnd) {
            // Committed past our earlier claim: its owner re-emits it for the other sinks at its next event.
            Resume.State state = Resume.stateAt(b, b.tailEnd);
            byte[] header = new byte[EventEncoder.batchRoom(st.nameRef, st.name)];
            int n = Resume.header(header, 0, st, state.ts() - recorder.base, state.lastId(), state.lastTask());
            c.scan(b.epoch, header, n, b.data, b.tailEnd, end - b.tailEnd, recorder.strings.table());
        }
        return true;
    }

    void drainFull() {
        drainFull(Integer.MAX_VALUE);
    }

    /** Takes at most {@code most} of the full buffers, oldest first. */
    void drainFull(int most) {
        Buffer b;
        for (int n = 0; n < most && (b = recorder.full.poll()) != null; n++) {
            append(b.epoch, b.data, b.committedState());
            recorder.recycle(b);
        }
    }

    /** Flushes and frees the buffers of leased threads that have died. */
    void reclaimDead() {
        for (Iterator<ThreadState> it = recorder.leases.iterator(); it.hasNext(); ) {
            ThreadState st = it.next();
            if (!st.thread.isAlive()) {
                it.remove();
                Buffer b = st.buffer;
                st.buffer = null;
                if (b != null) {
                    if (b.claim(Buffer.STOLEN)) {
                        append(b.epoch, b.data, b.committedState());
                    } else if (b.stolen()) {
                        takeTail(st, b, true);
                    }
                    recorder.recycle(b); // the owner is gone: nobody else holds it
                }
                recorder.leased.decrementAndGet();
            }
        }
    }

    /** Recycles the stolen buffers their owners have retired. */
    void recycleRetired() {
        Buffer b;
        while ((b = recorder.retired.poll()) != null) {
            recorder.recycle(b);
        }
    }

    /**
     * Steals what live leased buffers have committed since their batch began, and takes
     * the tails that owners of already stolen buffers have not re-emitted, so that
     * events of idle threads reach the output every flush interval and at stop.
     */
    void flushLeased() {
        for (ThreadState st : recorder.leases) {
            Buffer b = st.buffer;
            if (b == null) {
                continue;
            }
            if (b.owned()) {
                long c = b.committedState();
                if (Buffer.at(c) > b.headerEnd && b.steal(c)) {
                    append(b.epoch, b.data, c);
                }
            } else if (b.stolen()) {
                takeTail(st, b, false);
            }
        }
    }

    /**
     * Appends the committed bytes past a stolen buffer's cut, behind a BATCH_RESUME
     * header, if its owner has not claimed them; {@code ownerDead}: also what lies past
     * an earlier claim of the writer's (a live owner re-emits that itself).
     */
    private void takeTail(ThreadState st, Buffer b, boolean ownerDead) {
        long committed = b.committedState();
        int end = Buffer.at(committed);
        int from;
        int fromEvents;
        if (!b.writerClaimedTail) {
            if (end <= b.stolenAt) {
                return;
            }
            b.tailEnd = end; // published by the CAS below
            b.tailEndEvents = Buffer.eventsAt(committed);
            if (!b.claimTail()) {
                return; // the owner re-emits it
            }
            b.writerClaimedTail = true;
            from = b.stolenAt;
            fromEvents = b.stolenEvents;
        } else if (ownerDead && end > b.tailEnd) {
            from = b.tailEnd; // committed after our claim by an owner that will never re-emit it
            fromEvents = b.tailEndEvents;
        } else {
            return;
        }
        appendTail(st, b, from, end, Buffer.eventsAt(committed) - fromEvents);
    }

    /**
     * Appends {@code b}'s bytes {@code [from, end)}, an event boundary inside its batch, holding
     * {@code events} events, behind a BATCH_RESUME header.
     */
    private void appendTail(ThreadState st, Buffer b, int from, int end, int events) {
        Resume.State state = Resume.stateAt(b, from);
        byte[] header = new byte[EventEncoder.batchRoom(st.nameRef, st.name)];
        int n = Resume.header(header, 0, st, state.ts() - recorder.base, state.lastId(), state.lastTask());
        appendUnit(b.epoch, header, n, b.data, from, end - from, events);
    }

    /**
     * Takes the striped buffers that hold events; at stop also closes the stripes.
     * Waits for a stripe's lock only when {@code wait} (a flush was asked for, an attach,
     * a detach, stop): a periodic flush skips a stripe that is busy this instant. A holder
     * it waited for in vain once (a live thread that lost an event to an Error and never
     * records again keeps its stripe) is waited for only {@link #STUCK_WAIT_NANOS} by
     * later collects, until the stripe is free: a stuck holder costs each of them a
     * millisecond, not a second, and one that was only slow (descheduled) is still waited
     * for long enough to finish an event. A stripe left out while waiting counts in
     * {@link #stripesSkipped} (a flush then returns false) and is listed in
     * {@link #skipped}.
     */
    void takeStripes(boolean close, boolean wait) {
        takeStripes(close, wait, NO_DEADLINE);
    }

    /** {@link #takeStripes(boolean, boolean)}, waiting until {@code deadline} at most: past it, only trying. */
    void takeStripes(boolean close, boolean wait, long deadline) {
        skipped.clear();
        for (int i = 0; i < recorder.stripes.length; i++) {
            Stripe s = recorder.stripes[i];
            boolean locked;
            boolean stuck = s.stuckHolder != null && s.stuckHolder == s.holder();
            long bound = stuck ? STUCK_WAIT_NANOS : STRIPE_WAIT_NANOS;
            long left = deadline == NO_DEADLINE ? bound : Math.min(bound, deadline - System.nanoTime());
            if (!wait || left <= 0) {
                locked = s.tryLock();
            } else {
                locked = s.lock(left);
                if (!locked && !stuck) {
                    s.stuckHolder = s.holder(); // waited for in vain (a second, or what a detach had left): a millisecond from now on
                    stripeWaitsInVain++;
                }
            }
            if (!locked) {
                if (wait) {
                    skipped.add(s);
                    stripesSkipped++;
                }
                if (close) {
                    // Its holder is stuck (or died holding it): what it committed is lost, and counted.
                    long lost = stuckEvents(s, 0);
                    recorder.dropped.addAndGet(lost);
                    LOG.log(System.Logger.Level.WARNING, "asynctrace: a shared buffer stayed locked for "
                            + TimeUnit.NANOSECONDS.toMillis(STRIPE_WAIT_NANOS) + " ms at stop; its " + lost
                            + " events are counted as dropped");
                }
                continue;
            }
            s.stuckHolder = null;
            Buffer b = s.buffer;
            if (b != null && (close || b.pos > 0)) {
                s.buffer = null;
            } else {
                b = null;
            }
            s.closed |= close;
            s.unlock();
            if (b != null && b.claim(Buffer.STOLEN)) {
                append(b.epoch, b.data, b.committedState());
                if (!close) {
                    recorder.recycle(b);
                }
            }
            java.util.function.IntConsumer hook = afterStripeForTest;
            if (hook != null && wait) {
                hook.accept(i);
            }
        }
    }

    /**
     * The events committed in the buffer of a stripe the writer could not lock, written
     * under {@code fromEpoch} or later (read without the lock: its holder is stuck, and a
     * count is all that is asked).
     */
    static long stuckEvents(Stripe s, int fromEpoch) {
        Buffer stuck = s.buffer;
        return stuck == null || stuck.epoch < fromEpoch ? 0 : Buffer.eventsAt(stuck.committedState());
    }

    private void appendUnit(int epoch, byte[] header, int headerLength, byte[] src, int offset, int length, int events) {
        if (length <= 0) {
            return;
        }
        ClosingBegins c = closing;
        if (c != null) {
            c.scan(epoch, header, headerLength, src, offset, length, recorder.strings.table());
        }
        units.add(epoch, header, headerLength, src, offset, length, events);
    }

    /** Appends a buffer's bytes from its start up to a {@link Buffer#committedState()}. */
    private void append(int epoch, byte[] src, long committed) {
        appendUnit(epoch, NO_HEADER, 0, src, 0, Buffer.at(committed), Buffer.eventsAt(committed));
    }
}
