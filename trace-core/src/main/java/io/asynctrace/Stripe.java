package io.asynctrace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A buffer shared by the threads that do not lease their own (virtual threads, and
 * platform threads beyond {@link TraceOptions#maxThreadBuffers()}), guarded by a
 * try-lock held for the duration of one event.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>The lock and its holder are one field, changed only by compare-and-set and one
 *       release store: a locked stripe always names its holder. (They were two fields:
 *       a {@code StackOverflowError} striking between clearing the holder and releasing
 *       the lock, in the interpreter's calls behind the lock's VarHandle, left a stripe
 *       locked by nobody, which nothing could free: the cause of
 *       {@code HardeningTest.anErrorInsideAnEventNeverLeavesAStripeLocked} failing under
 *       load, where the recorder stays interpreted longer.)</li>
 *   <li>A thread that finds itself the holder lost an event to an Error (one striking even
 *       in the unlock) and takes the stripe back; the writer thread frees the stripes of
 *       threads that died holding them. A stripe held by a live thread that never records
 *       again is never forced open (a slow holder may be mid-event): the writer waits for
 *       it once ({@link SegmentWriter}), then only tries it, and at stop counts its events
 *       as dropped.</li>
 * </ul>
 */
final class Stripe {
    private static final VarHandle HOLDER;
    /** The holder while the writer thread has the lock. */
    private static final Object WRITER = new Object();
    /** Spins before {@link #lock} parks between tries: a holder keeps it for one event, well under this. */
    private static final int SPINS = 256;
    private static final long PARK_NANOS = 50_000;

    static {
        try {
            HOLDER = MethodHandles.lookup().findVarHandle(Stripe.class, "holder", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Null: free; else who holds the lock: an application {@link Thread}, or {@link #WRITER}. */
    @SuppressWarnings("unused") // accessed through HOLDER
    private volatile Object holder;
    /** The buffer being filled, or null; guarded by the lock. */
    Buffer buffer;
    /** Set by the writer thread at stop, under the lock: no more buffers are taken. */
    boolean closed;
    /** Writer thread only: the holder it last waited for in vain, so that it does not wait for it again. */
    Object stuckHolder;

    /** Takes the lock for the writer thread (or a test), if free. */
    boolean tryLock() {
        return HOLDER.compareAndSet(this, null, WRITER);
    }

    /**
     * Writer thread: waits for the lock at most {@code timeoutNanos}, spinning briefly, then
     * parking between tries: a holder that died (an Error in the middle of an event) or
     * stalls must not hang the writer thread, nor burn a core.
     */
    boolean lock(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (int tries = 0; !tryLock(); tries++) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
        }
        return true;
    }

    /** Takes the lock for an application thread. */
    boolean tryLock(Thread thread) {
        if (HOLDER.compareAndSet(this, null, thread)) {
            return true;
        }
        if (holder != thread) {
            return false;
        }
        // Left locked by this very thread when an Error cut its last event short: its batch's delta
        // state may be ahead of its bytes, so the next event starts a batch of its own.
        Buffer b = buffer;
        if (b != null) {
            b.batchThread = -2;
        }
        return true;
    }

    void unlock() {
        HOLDER.setRelease(this, null);
    }

    /** @return who holds the lock now (null: free) */
    Object holder() {
        return holder;
    }

    /** Writer thread: frees the lock if the thread holding it has died; true if it did. */
    boolean freeIfOwnerDied() {
        Object h = holder;
        if (h instanceof Thread t && !t.isAlive()) {
            return HOLDER.compareAndSet(this, t, null);
        }
        return false;
    }
}
