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

    void lock() {
        while (!tryLock()) {
            Thread.onSpinWait();
        }
    }

    void unlock() {
        LOCK.setRelease(this, 0);
    }
}
