package io.asynctrace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A buffer shared by the threads that do not lease their own (virtual threads, and
 * platform threads beyond {@link TraceOptions#maxThreadBuffers()}), guarded by a
 * try-lock held for the duration of one event.
 */
final class Stripe {
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(Stripe.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through LOCK
    private volatile int lock;
    /** The buffer being filled, or null; guarded by the lock. */
    Buffer buffer;
    /** Set by the writer thread at stop, under the lock: no more buffers are taken. */
    boolean closed;
    /**
     * The application thread holding the lock, or null (free, or held by the writer thread).
     * A thread that finds its own name here lost an event to an Error (a stack overflow
     * striking even in the unlock) and takes the stripe back; the writer thread frees the
     * stripes of threads that died holding them.
     */
    volatile Thread owner;

    boolean tryLock() {
        return LOCK.compareAndSet(this, 0, 1);
    }

    /**
     * Waits for the lock at most {@code timeoutNanos}: a writer that died holding it
     * (an Error in the middle of an event) must not hang the writer thread.
     */
    boolean lock(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!tryLock()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Takes the lock for an application thread. */
    boolean tryLock(Thread thread) {
        if (tryLock()) {
            owner = thread;
            return true;
        }
        if (owner != thread) {
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
        owner = null;
        LOCK.setRelease(this, 0);
    }

    /** Writer thread: frees the lock if the thread holding it has died; true if it did. */
    boolean freeIfOwnerDied() {
        Thread t = owner;
        if (t != null && !t.isAlive()) {
            unlock();
            return true;
        }
        return false;
    }
}
