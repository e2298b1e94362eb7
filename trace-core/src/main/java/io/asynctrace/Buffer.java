package io.asynctrace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event buffer: a byte array that one thread at a time appends encoded events to.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Only the current writer (the owning thread of a leased buffer, or the holder
 *       of a stripe's lock) touches {@code pos} and the batch delta state.</li>
 *   <li>After each event the writer publishes {@code pos} into {@code committed} with
 *       release semantics; any other thread that reads {@code committed} with acquire
 *       semantics may copy bytes {@code [0, committed)}: the writer never changes them
 *       again.</li>
 *   <li>{@code state} moves from {@link #OWNED} to either {@link #HANDED_OFF} (the writer
 *       gave it to the writer thread, full) or {@link #COLLECTED} (the writer thread took
 *       it at stop or after its owner died) exactly once, by compare-and-set: so no
 *       buffer is ever written out twice.</li>
 * </ul>
 */
final class Buffer {
    static final int OWNED = 0;
    static final int HANDED_OFF = 1;
    static final int COLLECTED = 2;

    private static final VarHandle COMMITTED;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COMMITTED = l.findVarHandle(Buffer.class, "committed", int.class);
            STATE = l.findVarHandle(Buffer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final byte[] data;
    /** Next free byte; writer-only. */
    int pos;
    @SuppressWarnings("unused") // accessed through COMMITTED
    private volatile int committed;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    // Delta-encoding state of the current batch; writer-only.
    long lastTs;
    long lastId;
    long lastTask;
    /** Thread id of the batch being appended, or -1 before the first batch. */
    long batchThread = -1;

    Buffer(int size) {
        this.data = new byte[size];
    }

    int remaining() {
        return data.length - pos;
    }

    /** Publishes everything written so far to readers of {@link #committed()}. */
    void commit() {
        COMMITTED.setRelease(this, pos);
    }

    int committed() {
        return (int) COMMITTED.getAcquire(this);
    }

    /** Moves this buffer out of {@link #OWNED}; returns false if someone else already did. */
    boolean claim(int newState) {
        return STATE.compareAndSet(this, OWNED, newState);
    }

    /** Makes a drained buffer reusable. Only the writer thread calls this, before the buffer is shared again. */
    void reset() {
        pos = 0;
        batchThread = -1;
        lastTs = 0;
        lastId = 0;
        lastTask = 0;
        COMMITTED.setRelease(this, 0);
        STATE.setRelease(this, OWNED);
    }
}
