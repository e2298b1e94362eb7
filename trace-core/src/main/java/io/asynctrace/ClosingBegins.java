package io.asynctrace;

import io.asynctrace.internal.format.BatchState;
import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.EventCursor;
import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.FormatException;
import io.asynctrace.internal.format.Wire;
import java.util.Arrays;

/**
 * The task begins a sink that is leaving still needs: copied, by the writer thread, out
 * of the batches its closing sweep takes after the sink's final segment was cut (see
 * {@link SegmentWriter}'s "a sink detached mid-way"). Each {@code TASK_BEGIN} found in
 * a batch written under the sink's attach epoch or later is written again, as it was
 * (time, thread, parent, type, stack), in a batch of the same thread, and so is every
 * {@code TASK_ATTR} of those tasks found after it (the creator's {@code trace.id}, missed
 * with the begin); every other event is left out. Writer thread only.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>The sweep that cuts a leaving sink's final segment (every leased buffer, then
 *       every stripe, then the full buffers) is not a snapshot: threads go on writing
 *       while it runs. A task's begin committed into a buffer the sweep had passed, then
 *       another thread's event on that task committed into one it reached later, would
 *       leave the file with the event and not the begin (review 13b, item 1).</li>
 *   <li>So, after the final segment is cut and the sink removed, a second sweep takes
 *       the buffers again (for the sinks that stay) and gives the leaving sink, with its
 *       final segment, every {@code TASK_BEGIN} of its epochs found in it
 *       (this class). Any begin of a task with an event in the first sweep was
 *       committed before that event, so before the first sweep ended: the second finds it,
 *       wherever it is then (a leased buffer, a stolen buffer's tail, a stripe, the full
 *       queue).</li>
 *   <li>A leased thread's buffer is in none of those places while the thread swaps it
 *       ({@link ThreadState#refilling}); the second sweep waits that out, at most
 *       a second in all, and counts one event lost to the leaving
 *       sink for a thread it waited for in vain.</li>
 *   <li>The earlier begins such an event needs were queued before it was committed
 *       ({@link EarlierBegin}: queued, then claimed), so they are in the final segment.</li>
 *   <li>The leaving sink may get begins of tasks that have no other event in it: tasks
 *       created as it left, shown as open at its end.</li>
 *   <li>At stop the same second sweep of the leased buffers runs before the final
 *       segment (the stripes are closed by the first).</li>
 * </ul>
 */
final class ClosingBegins {
    private final int attachEpoch;
    private final long base;
    private final EventCursor cursor = new EventCursor();
    private final BatchState batch = new BatchState();
    private byte[] out = new byte[256];
    private int length;
    /** Events copied: the begins and their tasks' attributes. */
    private int events;
    /** The tasks whose begin was copied. */
    private final java.util.Set<Long> copied = new java.util.HashSet<>();

    /**
     * @param attachEpoch the leaving sink's attach epoch: batches of older epochs are not its own
     * @param base the recording's monotonic base
     */
    ClosingBegins(int attachEpoch, long base) {
        this.attachEpoch = attachEpoch;
        this.base = base;
    }

    /**
     * Copies the begins of one unit the sweep took: {@code header[0, headerLength)} (a
     * {@code BATCH_RESUME}, or nothing) then {@code src[offset, offset + n)}, which starts
     * with a batch header if there is no header; written under {@code epoch}.
     *
     * @param strings the recording's string table, for the references in it
     */
    void scan(int epoch, byte[] header, int headerLength, byte[] src, int offset, int n, String[] strings) {
        if (epoch < attachEpoch || n <= 0) {
            return;
        }
        byte[] d = src;
        int from = offset;
        if (headerLength > 0) {
            d = new byte[headerLength + n];
            System.arraycopy(header, 0, d, 0, headerLength);
            System.arraycopy(src, offset, d, headerLength, n);
            from = 0;
        }
        cursor.reset(d, from, from + headerLength + n);
        String threadName = "";
        boolean newBatch = true;
        try {
            while (cursor.next()) {
                if (cursor.spec().batch()) {
                    threadName = cursor.string(1, strings);
                    newBatch = true;
                } else if (cursor.type() == Wire.TASK_ATTR && copied.contains(cursor.arg(0))) {
                    // an attribute of a task whose begin this pass copied: recorded with it, missed with it
                    String key = cursor.string(1, strings);
                    int keyRef = (int) cursor.arg(1);
                    String value = cursor.string(2, strings);
                    int keep = Codec.cut(value, Wire.MAX_NAME_CHARS);
                    long ts = base + cursor.time();
                    ensure(EventEncoder.batchRoom(0, threadName) + EventEncoder.FIXED + Codec.refSize(keyRef, key)
                            + Codec.maxStringBytes(keep));
                    if (newBatch) {
                        length = EventEncoder.batch(out, length, batch, cursor.thread(), 0, threadName, cursor.time(),
                                ts);
                        newBatch = false;
                    }
                    length = EventEncoder.attribute(out, length, batch, ts, false, cursor.arg(0), keyRef, key, value,
                            keep);
                    events++;
                } else if (cursor.type() == Wire.TASK_BEGIN) {
                    String type = cursor.string(2, strings);
                    int typeRef = (int) cursor.arg(2);
                    long ts = base + cursor.time();
                    ensure(EventEncoder.batchRoom(0, threadName) + EventEncoder.FIXED + Codec.refSize(typeRef, type));
                    if (newBatch) {
                        length = EventEncoder.batch(out, length, batch, cursor.thread(), 0, threadName, cursor.time(),
                                ts);
                        newBatch = false;
                    }
                    int stack = cursor.stack();
                    length = EventEncoder.taskBegin(out, length, batch, ts, cursor.arg(0), cursor.arg(1), typeRef,
                            type, false, 0, stack < 0 ? EventEncoder.NO_STACK : stack);
                    copied.add(cursor.arg(0));
                    events++;
                }
            }
        } catch (FormatException e) {
            // the recorder's own bytes are well formed; one cut short by an Error mid-event ends here
        }
    }

    private void ensure(int room) {
        if (length + room > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, length + room));
        }
    }

    /**
     * Before the pass: the tasks whose begin the leaving sink has in its final segment
     * ({@code events} of it, and the earlier begins it needs), whose attributes found in
     * the pass are copied too (the creator's {@code trace.id}, committed just after a
     * begin the first pass took).
     */
    void begunIn(byte[] events, int length, java.util.List<EarlierBegin> earlier) {
        for (EarlierBegin e : earlier) {
            if (e.neededBy(attachEpoch)) {
                copied.add(e.task);
            }
        }
        if (events == null) {
            return;
        }
        cursor.reset(events, 0, length);
        try {
            while (cursor.next()) {
                if (cursor.type() == Wire.TASK_BEGIN) {
                    copied.add(cursor.arg(0));
                }
            }
        } catch (FormatException e) {
            // the writer's own segment: well formed
        }
    }

    /** @return how many events were copied (begins and attributes) */
    int count() {
        return events;
    }

    /** @return the batches of the begins copied */
    byte[] bytes() {
        return Arrays.copyOf(out, length);
    }
}
