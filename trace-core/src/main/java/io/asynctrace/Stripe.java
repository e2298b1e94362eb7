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

    void unlock() {
        LOCK.setRelease(this, 0);
    }
}
