package io.asynctrace;

import io.asynctrace.internal.format.BatchState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event buffer: a byte array that one thread at a time appends encoded events to.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Only the current writer (the owning thread of a leased buffer, or the holder
 *       of a stripe's lock) touches {@code pos} and the batch delta state.</li>
 *   <li>After each event the writer publishes {@code pos}, with the number of events
 *       written so far, into {@code committed} (one {@code long}, so the two always
 *       agree) with release semantics; any other thread that reads it with acquire
 *       semantics may copy bytes {@code [0, pos)}, holding that many events, without
 *       walking them: the writer never changes them again.</li>
 *   <li>{@code state} moves from {@link #OWNED} to either {@link #HANDED_OFF} (the writer
 *       gave it to the writer thread, full) or {@link #STOLEN} (the writer thread took
 *       the committed part of a live owner's buffer: on a flush, at stop, or after the
 *       owner died) exactly once, by compare-and-set: so no byte is written out twice.</li>
 *   <li>A stolen buffer's bytes past {@code stolenAt} are still the owner's: it sees
 *       the steal at its next event and re-emits them, behind a {@code BATCH_RESUME}
 *       header, into a fresh buffer (unless the writer thread claimed that tail first,
 *       for an idle owner: then the owner re-emits only what lies past the writer's
 *       claim). The owner's hot path pays one plain volatile read.</li>
 *   <li>Only the writer thread recycles a buffer: the owner retires a stolen one to
 *       the writer, so no reference the writer holds ever points into a reused buffer.</li>
 * </ul>
 */
final class Buffer extends BatchState {
    static final int OWNED = 0;
    static final int HANDED_OFF = 1;
    static final int STOLEN = 2;

    private static final VarHandle COMMITTED;
    private static final VarHandle STATE;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COMMITTED = l.findVarHandle(Buffer.class, "committed", long.class);
            STATE = l.findVarHandle(Buffer.class, "state", int.class);
            TAIL = l.findVarHandle(Buffer.class, "tailClaimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final byte[] data;
    /** Next free byte; writer-only. */
    int pos;
    /** Events in {@code [0, pos)} (batch headers are none); writer-only. */
    int events;
    /** {@link #pack} of the committed position and events; accessed through COMMITTED. */
    @SuppressWarnings("unused")
    private volatile long committed;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile int tailClaimed;
    /** Where the writer thread cut a stolen buffer: written before the CAS to {@link #STOLEN} publishes it. */
    int stolenAt;
    /** Events before {@link #stolenAt}; written with it. */
    int stolenEvents;
    /** Where the writer thread's claim of the tail ended: written before the CAS of {@link #claimTail} publishes it. */
    int tailEnd;
    /** Events before {@link #tailEnd}; written with it. */
    int tailEndEvents;
    /** Whether the writer thread won {@link #claimTail}; writer-thread only. */
    boolean writerClaimedTail;
    /**
     * The leased thread this buffer was taken by (set by that thread when it takes it,
     * cleared by {@link #reset}), or null: for the writer thread to tell whether a buffer a
     * thread named is still that thread's ({@link ThreadState#swapped}).
     */
    ThreadState holder;

    // The batch this buffer starts with, set before the buffer is handed to its writer.
    /** Position after the batch header. */
    int headerEnd;
    long baseTs;
    long baseId;
    long baseTask;

    // Delta-encoding state of the current batch (BatchState's fields): writer-only.
    /** Thread id of the batch being appended, or -1 before the first batch. */
    long batchThread = -1;
    /**
     * The recording epoch every event in this buffer was written under ({@link Recorder#epoch}):
     * the writer thread gives its bytes only to the sinks attached at or before it. Set by
     * the buffer's writer before its first event (published by {@link #commit}); 0 while unused.
     */
    int epoch;

    // The delta state before the event being encoded ({@link #mark}): writer-only.
    private long markTs;
    private long markId;
    private long markTask;
    /** Where the event {@link #mark} began starts, until its {@link #commitEvent}; -1: none under way. */
    private int markPos = -1;

    Buffer(int size) {
        this.data = new byte[size];
    }

    int remaining() {
        return data.length - pos;
    }

    /**
     * Before an event: remembers the batch's delta state, for {@link #commitEvent}.
     *
     * @return where the event starts
     */
    int mark() {
        if (markPos == pos) {
            // The last event wrote nothing and its commitEvent never ran (an Error, such as a stack
            // overflow, in the finally that calls it): its delta state back in step with the bytes first.
            lastTs = markTs;
            lastId = markId;
            lastTask = markTask;
        }
        markTs = lastTs;
        markId = lastId;
        markTask = lastTask;
        markPos = pos;
        return pos;
    }

    /**
     * After an event begun at {@code at}: counts it if the encoder wrote it; if it wrote
     * nothing (it threw, an Error such as a stack overflow, before {@code pos} moved), puts
     * the delta state back in step with the bytes, so the next event's deltas are right.
     * Then publishes it ({@link #commit}).
     */
    void commitEvent(int at) {
        markPos = -1;
        if (pos != at) {
            events++;
        } else {
            lastTs = markTs;
            lastId = markId;
            lastTask = markTask;
        }
        commit();
    }

    /** Publishes everything written so far, and how many events it holds, to readers of {@link #committedState()}. */
    void commit() {
        COMMITTED.setRelease(this, pack(pos, events));
    }

    /** @return the committed position and event count, {@link #pack}ed: read them with {@link #at} and {@link #eventsAt} */
    long committedState() {
        return (long) COMMITTED.getAcquire(this);
    }

    static long pack(int pos, int events) {
        return ((long) events << 32) | (pos & 0xFFFF_FFFFL);
    }

    /** @return the position of a {@link #committedState()} */
    static int at(long state) {
        return (int) state;
    }

    /** @return the events before the position of a {@link #committedState()} */
    static int eventsAt(long state) {
        return (int) (state >>> 32);
    }

    /** Moves this buffer out of {@link #OWNED}; returns false if someone else already did. */
    boolean claim(int newState) {
        return STATE.compareAndSet(this, OWNED, newState);
    }

    boolean owned() {
        return state == OWNED;
    }

    boolean stolen() {
        return state == STOLEN;
    }

    /**
     * Steals a leased buffer from its live owner at a {@link #committedState()}: the bytes before it go to the writer
     * thread; the owner re-emits the rest up to {@code pos} into a new buffer when it next
     * writes, then retires the buffer; only the writer thread recycles it.
     */
    boolean steal(long state) {
        stolenAt = at(state);
        stolenEvents = eventsAt(state);
        return STATE.compareAndSet(this, OWNED, STOLEN);
    }

    /**
     * Claims the bytes of a stolen buffer past {@code stolenAt}: the owner does at its
     * next event; the writer thread does (up to {@code tailEnd}, set first) when the
     * owner stays idle across a flush, died, or the recording stops. Exactly one side
     * wins; an owner that loses re-emits only what lies past {@code tailEnd}.
     */
    boolean claimTail() {
        return TAIL.compareAndSet(this, 0, 1);
    }

    /** Makes a drained buffer reusable. Only the writer thread calls this, before the buffer is shared again. */
    void reset() {
        pos = 0;
        events = 0;
        batchThread = -1;
        epoch = 0;
        lastTs = 0;
        lastId = 0;
        lastTask = 0;
        markPos = -1;
        headerEnd = 0;
        stolenAt = 0;
        stolenEvents = 0;
        tailEnd = 0;
        tailEndEvents = 0;
        writerClaimedTail = false;
        holder = null;
        TAIL.setRelease(this, 0);
        COMMITTED.setRelease(this, 0);
        STATE.setRelease(this, OWNED);
    }
}
