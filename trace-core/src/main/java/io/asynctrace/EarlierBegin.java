package io.asynctrace;

import io.asynctrace.internal.format.BatchState;
import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.Codec;
import java.util.List;

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
 *
 * @param thread the thread whose event met the task
 * @param threadName its name
 * @param task the task's id
 * @param parent its parent's id, or 0
 * @param type its type
 * @param created its creation time
 * @param knownUpTo the epoch its begin last went out in (0: never, or dropped)
 * @param epoch the epoch it was queued in
 * @param stack the stack id of the task's begin, or {@link EventEncoder#NO_STACK}
 */
record EarlierBegin(long thread, String threadName, long task, long parent, String type, long created,
                    int knownUpTo, int epoch, int stack) {
    /** Whether an output attached at {@code attachEpoch} lacks this begin. */
    boolean neededBy(int attachEpoch) {
        return knownUpTo < attachEpoch && attachEpoch <= epoch;
    }

    /**
     * The begins of {@code begins} an output attached at {@code attachEpoch} lacks, one
     * batch each, followed by {@code events}; {@code events} itself if it lacks none.
     */
    static byte[] prepend(List<EarlierBegin> begins, int attachEpoch, long base, byte[] events, int eventsLength) {
        int room = 0;
        for (EarlierBegin e : begins) {
            if (e.neededBy(attachEpoch)) {
                room += EventEncoder.batchRoom(0, e.threadName) + EventEncoder.FIXED + Codec.refSize(0, e.type);
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
                long ts = Math.max(e.created, base);
                p = EventEncoder.batch(out, p, batch, e.thread, 0, e.threadName, ts - base, ts);
                p = EventEncoder.taskBegin(out, p, batch, ts, e.task, e.parent, 0, e.type, true, ts - e.created,
                        e.stack);
            }
        }
        System.arraycopy(events, 0, out, p, eventsLength);
        return java.util.Arrays.copyOf(out, p + eventsLength);
    }
}
