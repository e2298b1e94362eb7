package io.asynctrace;

import io.asynctrace.internal.format.BatchState;
import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.Wire;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The begin of a task a recording met again after an output was attached (or after its
 * begin was dropped), queued for the writer instead of written into the thread's buffer:
 * each output gets it only if it lacks it, so outputs that saw the task's begin do not
 * get it twice.
 *
 * <p>An output attached at epoch {@code A} (see {@link Recorder#epoch}) has every begin
 * written while its epoch was at least {@code A}; it takes this one iff
 * {@code knownUpTo < A <= epoch}: its begin last went out before that output came, and
 * it was queued after it came.
 *
 * <p>Written as a batch of its own, at the task's creation time (the recording's base
 * if it was created before), its type inline, with the stack of the task's begin when
 * the task was created in this recording with stacks on (a task created before has no
 * stack in this recording's table): {@code TraceWriter} writes the same bytes for it.
 * The task's attributes recorded before (at most {@link Task#MAX_KEPT_ATTRIBUTES} keys,
 * see {@link KeptAttributes}) follow it, at the same time, keys inline: so an output attached
 * after a request's {@code trace.id} was recorded still has it; each goes only to the outputs
 * that do not get it otherwise ({@link KeptAttributes}' coverage). Each key past that bound
 * is counted as one dropped event in each output that gets the begin.
 *
 * <p>One attribute alone is queued the same way when its thread recorded it under an
 * older epoch and kept it only after another thread claimed the task's begin for a newer
 * one without it ({@link Task#keepRecorded}): the outputs attached in between get it at
 * its own time, in a batch of its own.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>A thread queues it <em>before</em> it claims the begin ({@link Task#claimBegin}),
 *       then {@link #settle settles} it: confirmed if its claim won, void if another
 *       thread's did. So no thread sees the task's begin as known for an epoch before
 *       the begin for that epoch is in the queue, and of the begins queued for one claim
 *       exactly one is confirmed.</li>
 *   <li>Only the writer thread takes it from the queue ({@link #awaitSettled}); it waits
 *       for a queued begin to be settled (its thread is a few instructions from it), at
 *       most {@link #SETTLE_WAIT_NANOS} for all it takes at once: one not settled by then
 *       (its thread descheduled, or an Error between the queueing and the claim) is
 *       abandoned, by compare-and-set. Its thread, when it comes back, says what became of
 *       it ({@link #resolve}): its claim lost (another claim covers it) or won and was undone,
 *       the begin queued again: nothing lost; won and could not be undone (a newer claim came):
 *       lost. The writer counts a lost one as dropped in each output attached that needs it,
 *       and one still unresolved in each output that needs it as the output leaves or the
 *       recording stops ({@link EarlierBegins}): exact, once its thread came back.</li>
 *   <li>The attributes it carries are the task's just after its thread's claim, before the
 *       event that met the task is written ({@link #fill}), each only for the outputs that do
 *       not get it otherwise (see {@link KeptAttributes}): a value recorded after the claim is
 *       the output's own event, never stamped at the task's start, and never twice. Filled
 *       before it is settled, it does not change after: the writer reads it once settled,
 *       and sinks frame it on their own threads.</li>
 * </ul>
 */
final class EarlierBegin {
    private static final int PENDING = 0;
    private static final int CONFIRMED = 1;
    private static final int VOID = 2;
    /** The writer gave up waiting for its claim to be decided: a claim that wins after it is undone. */
    private static final int ABANDONED = 3;
    /** Abandoned, then its thread's claim lost, or won and was undone (the begin queued again): nothing lost. */
    private static final int RESOLVED = 4;
    /** Abandoned, then its thread's claim won and a newer claim came before it could be undone: lost. */
    private static final int LOST = 5;
    /** The longest the writer waits for a queued begin's claim to be decided. */
    static final long SETTLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(EarlierBegin.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread whose event met the task, and its name. */
    final long thread;
    final String threadName;
    final long task;
    final long parent;
    final String type;
    final long created;
    /** The epoch the task's begin last went out in (0: never, or dropped). */
    final int knownUpTo;
    /** The epoch it was queued in. */
    final int epoch;
    /** The stack id of the task's begin, or {@link EventEncoder#NO_STACK}. */
    final int stack;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    private static final int[] NO_CUT = new int[0];
    /**
     * The task's attributes (key, value, ...) just after its thread's claim, each with the
     * newest epoch whose outputs get it otherwise ({@link KeptAttributes}; null: to every
     * output that needs it), and the keys it did not keep: filled before it is settled.
     */
    private volatile KeptAttributes.Snapshot kept; // one volatile record: a writer counting an abandoned begin sees all of it or none (review 81 R2)
    /**
     * Attribute keys it may lack because its thread failed (an Error) to take them after its
     * claim: at most the keys the task kept then, and the attribute calls under way; counted
     * as lost in each output that needs it. Written before it is settled, as {@link #kept}.
     */
    private volatile int notCarried;
    /**
     * Whether it is the task's begin (with its attributes); false: one attribute alone, at
     * {@link #time}, recorded under {@link #knownUpTo} and kept after the claim for
     * {@link #epoch} ({@link Task#keepRecorded}).
     */
    private final boolean begin;
    /** When the attribute alone was recorded; unused for a begin. */
    private final long time;
    /** Whether the writer took it for a segment (writer thread only). */
    boolean taken;

    /**
     * A task's begin, queued before its thread claims it ({@link EarlierBegins#begin}); its
     * attributes are {@link #fill filled} after the claim.
     */
    EarlierBegin(long thread, String threadName, Task t, int knownUpTo, int epoch, int stack) {
        this(thread, threadName, t, knownUpTo, epoch, stack, true, 0);
    }

    private EarlierBegin(long thread, String threadName, Task t, int knownUpTo, int epoch, int stack, boolean begin,
                         long time) {
        this.thread = thread;
        this.threadName = threadName;
        this.task = t.id;
        this.parent = t.parentId;
        this.type = t.type;
        this.created = t.createdNanos;
        this.knownUpTo = knownUpTo;
        this.epoch = epoch;
        this.stack = stack;
        this.begin = begin;
        this.time = time;
    }

    /** Its thread, after its claim won and before it settles it: the task's attributes then. */
    void fill(KeptAttributes.Snapshot kept) {
        if (kept != null) {
            this.kept = kept;
        }
    }

    /**
     * Its thread, after its claim won, when taking the task's attributes failed (an Error):
     * {@code keys} it may lack, counted as lost where it is written. Allocates nothing.
     */
    void notCarried(int keys) {
        notCarried = keys;
    }

    /**
     * An attribute of {@code t} recorded at {@code ts} under epoch {@code recorded}, for the
     * outputs attached after it up to {@code known}, whose begin of the task lacks it.
     */
    static EarlierBegin attribute(long thread, String threadName, Task t, int recorded, int known, long ts, String key,
                                  String value) {
        EarlierBegin e = new EarlierBegin(thread, threadName, t, recorded, known, EventEncoder.NO_STACK, false, ts);
        e.kept = new KeptAttributes.Snapshot(new String[] {key, value}, null, NO_CUT, 0);
        STATE.setRelease(e, CONFIRMED); // nothing to claim (publishes the attribute to the writer)
        return e;
    }

    /**
     * The queueing thread: whether its claim of the begin won.
     *
     * @return false if the writer had given up waiting for it ({@link #awaitSettled}): a claim
     *     that won must then be undone, the begin queued again
     */
    boolean settle(boolean won) {
        return STATE.compareAndSet(this, PENDING, won ? CONFIRMED : VOID);
    }

    /**
     * Writer thread: waits until {@link #settle} decided (spinning briefly, then parking),
     * at most until {@code deadline} ({@code System.nanoTime()}).
     *
     * @return whether it is to be written: confirmed (false: void, or never settled)
     */
    boolean awaitSettled(long deadline) {
        int s = (int) STATE.getAcquire(this);
        if (s != PENDING) {
            return s == CONFIRMED;
        }
        for (int tries = 0; (s = (int) STATE.getAcquire(this)) == PENDING; tries++) {
            if (System.nanoTime() - deadline > 0) {
                if (STATE.compareAndSet(this, PENDING, ABANDONED)) {
                    return false;
                }
                return (int) STATE.getAcquire(this) == CONFIRMED; // settled just now
            }
            if (tries < 256) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
        return s == CONFIRMED;
    }

    /** @return whether the writer gave up waiting for its claim to be decided and its thread has not said since what became of it */
    boolean abandoned() {
        return (int) STATE.getAcquire(this) == ABANDONED;
    }

    /**
     * Its thread, back after the writer gave up on it ({@link #settle} returned false):
     * {@code lost}, its claim won and could not be undone; else nothing is lost.
     */
    void resolve(boolean lost) {
        STATE.compareAndSet(this, ABANDONED, lost ? LOST : RESOLVED);
    }

    /** @return whether the writer gave up waiting for it, whatever its thread said since */
    boolean givenUp() {
        return (int) STATE.getAcquire(this) >= ABANDONED;
    }

    /** @return whether its thread said it was lost ({@link #resolve}) */
    boolean lost() {
        return (int) STATE.getAcquire(this) == LOST;
    }

    /** @return whether its thread said nothing was lost ({@link #resolve}) */
    boolean resolved() {
        return (int) STATE.getAcquire(this) == RESOLVED;
    }

    /** Whether an output attached at {@code attachEpoch} lacks this begin. */
    boolean neededBy(int attachEpoch) {
        return knownUpTo < attachEpoch && attachEpoch <= epoch;
    }

    /** @return the events it stands for in an output attached at {@code attachEpoch} that needs it: the begin, its attributes and those not kept */
    long events(int attachEpoch) {
        KeptAttributes.Snapshot k = kept;
        long n = (begin ? 1 : 0) + notCarried;
        if (k != null) {
            n += k.cut(attachEpoch);
            String[] attributes = k.attributes();
            for (int i = 0; attributes != null && i < attributes.length; i += 2) {
                n += carries(k, i, attachEpoch) ? 1 : 0;
            }
        }
        return n;
    }

    /** Whether an output attached at {@code attachEpoch} gets the attribute at {@code k.attributes()[i]} from it. */
    private static boolean carries(KeptAttributes.Snapshot k, int i, int attachEpoch) {
        return k.covered() == null || k.covered()[i / 2] < attachEpoch;
    }

    /** @return whether it is one attribute alone, queued after a claim without it ({@link Task#keepRecorded}) */
    boolean attributeAlone() {
        return !begin;
    }

    /**
     * @return the attribute keys an output attached at {@code attachEpoch} lacks because this
     *     begin does not carry them and no value of theirs reaches it otherwise (counted as
     *     dropped where it is written)
     */
    int attributesCut(int attachEpoch) {
        KeptAttributes.Snapshot k = kept;
        return (k == null ? 0 : k.cut(attachEpoch)) + notCarried;
    }

    private int room() {
        int room = EventEncoder.batchRoom(0, threadName) + (begin ? EventEncoder.FIXED + Codec.refSize(0, type) : 0);
        KeptAttributes.Snapshot k = kept;
        String[] attributes = k == null ? null : k.attributes();
        if (attributes != null) {
            for (int i = 0; i < attributes.length; i += 2) {
                room += EventEncoder.FIXED + Codec.refSize(0, attributes[i])
                        + Codec.maxStringBytes(Codec.cut(attributes[i + 1], Wire.MAX_NAME_CHARS));
            }
        }
        return room;
    }

    private int write(byte[] out, int p, BatchState batch, long base, int attachEpoch) {
        long ts = Math.max(begin ? created : time, base);
        p = EventEncoder.batch(out, p, batch, thread, 0, threadName, ts - base, ts);
        if (begin) {
            p = EventEncoder.taskBegin(out, p, batch, ts, task, parent, 0, type, true, ts - created, stack);
        }
        KeptAttributes.Snapshot k = kept;
        String[] attributes = k == null ? null : k.attributes();
        if (attributes != null) {
            for (int i = 0; i < attributes.length; i += 2) {
                if (!carries(k, i, attachEpoch)) {
                    continue; // the output gets it as its own event, or queued apart
                }
                String value = attributes[i + 1];
                p = EventEncoder.attribute(out, p, batch, ts, false, task, 0, attributes[i], value,
                        Codec.cut(value, Wire.MAX_NAME_CHARS));
            }
        }
        return p;
    }

    /**
     * The begins of {@code begins} an output attached at {@code attachEpoch} lacks, one
     * batch each, followed by {@code events}; {@code events} itself if it lacks none.
     */
    static byte[] prepend(List<EarlierBegin> begins, int attachEpoch, long base, byte[] events, int eventsLength) {
        int room = 0;
        for (EarlierBegin e : begins) {
            if (e.neededBy(attachEpoch)) {
                room += e.room();
            }
        }
        if (room == 0) {
            return events;
        }
        byte[] out = new byte[room + eventsLength];
        BatchState batch = new BatchState();
        int p = 0;
        for (EarlierBegin e : begins) {
            if (e.neededBy(attachEpoch)) {
                p = e.write(out, p, batch, base, attachEpoch);
            }
        }
        System.arraycopy(events, 0, out, p, eventsLength);
        return java.util.Arrays.copyOf(out, p + eventsLength);
    }
}
