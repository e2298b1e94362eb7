package io.asynctrace.otel;

import io.asynctrace.internal.TaskEnd;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The live exporter's hand-off: a bounded queue of ended tasks, many producers (the
 * application's threads) and one consumer (the exporter's thread), on a ring of slots
 * allocated once.
 *
 * <p><b>Assumptions and guarantees.</b> {@link #offer} never blocks and allocates nothing:
 * it claims a slot with one compare-and-set of {@link #producerIndex} (retried only when
 * another producer claimed the same slot first) and publishes the element with a release
 * store, or returns -1 at once when the ring is full. {@link #poll} and {@link #size}
 * are for the single consumer thread only: it takes elements in claim order and frees the
 * slot before advancing {@link #consumerIndex} (a release store), so a producer that sees
 * room finds the slot empty. An element claimed but not yet published makes {@link #poll}
 * wait for that one store, never for another claim.
 */
final class TaskEndQueue {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(TaskEnd[].class);
    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle CONSUMER_INDEX;
    private static final VarHandle PRODUCER_LIMIT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PRODUCER_INDEX = lookup.findVarHandle(TaskEndQueue.class, "producerIndex", long.class);
            CONSUMER_INDEX = lookup.findVarHandle(TaskEndQueue.class, "consumerIndex", long.class);
            PRODUCER_LIMIT = lookup.findVarHandle(TaskEndQueue.class, "producerLimit", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskEnd[] slots;
    private final int mask;
    /** The next slot to claim; producers only, by CAS. */
    private volatile long producerIndex;
    /** A cached {@code consumerIndex + capacity}: producers may claim below it without reading the consumer's index. */
    private volatile long producerLimit;
    /** The next slot to take; written by the consumer only. */
    private volatile long consumerIndex;

    /** @param capacity at least this many elements fit (rounded up to a power of two) */
    TaskEndQueue(int capacity) {
        int size = Integer.highestOneBit(Math.max(2, Math.min(capacity, 1 << 30) - 1)) << 1;
        this.slots = new TaskEnd[size];
        this.mask = size - 1;
        this.producerLimit = size;
    }

    /** @return the number of slots */
    int capacity() {
        return slots.length;
    }

    /**
     * Adds an element, or refuses at once when full. Any thread.
     *
     * @return the element's index in the order of offers (0, 1, ...), or -1 if the queue was full
     */
    long offer(TaskEnd e) {
        long limit = (long) PRODUCER_LIMIT.getAcquire(this); // with its release below: the freed slot is seen free
        long index;
        do {
            index = (long) PRODUCER_INDEX.getVolatile(this);
            if (index >= limit) {
                limit = (long) CONSUMER_INDEX.getAcquire(this) + slots.length;
                if (index >= limit) {
                    return -1;
                }
                PRODUCER_LIMIT.setRelease(this, limit);
            }
        } while (!PRODUCER_INDEX.compareAndSet(this, index, index + 1));
        SLOTS.setRelease(slots, (int) index & mask, e);
        return index;
    }

    /** @return the oldest element, or null if none was claimed; consumer thread only */
    TaskEnd poll() {
        long index = (long) CONSUMER_INDEX.getOpaque(this);
        int slot = (int) index & mask;
        TaskEnd e = (TaskEnd) SLOTS.getAcquire(slots, slot);
        if (e == null) {
            if (index == (long) PRODUCER_INDEX.getVolatile(this)) {
                return null;
            }
            do { // claimed, its store is on its way
                Thread.onSpinWait();
                e = (TaskEnd) SLOTS.getAcquire(slots, slot);
            } while (e == null);
        }
        SLOTS.setOpaque(slots, slot, (TaskEnd) null);
        CONSUMER_INDEX.setRelease(this, index + 1);
        return e;
    }

    /** @return the elements claimed and not yet taken; consumer thread only (exact there) */
    long size() {
        return (long) PRODUCER_INDEX.getVolatile(this) - (long) CONSUMER_INDEX.getOpaque(this);
    }
}
