package io.asynctrace;

import io.asynctrace.internal.format.BatchState;
import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.EventCursor;
import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.EventSpec;
import io.asynctrace.internal.format.FormatException;
import io.asynctrace.internal.format.Wire;
import java.util.Arrays;

/**
 * The task begins a sink that is leaving still needs: copied, by the writer thread, out
 * of the batches its closing sweep takes after the sink's final segment was cut (see
 * {@link SegmentWriter}'s "a sink detached mid-way"). Each {@code TASK_BEGIN} found in
 * a batch written under the sink's attach epoch or later, recorded before the first
 * pass ended, is written again, as it was
 * (time, thread, parent, type, stack), in a batch of the same thread; so is every
 * {@code TASK_ATTR} found of those tasks and of the tasks with events in the final segment
 * (the creator's {@code trace.id}, committed before the task was shared, can be missed by
 * the first sweep as a begin can), after the pass, wherever the pass met it; every other
 * event is left out. Writer thread only.
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
 *   <li>Likewise an attribute committed before such an event (a creator's {@code trace.id},
 *       set before it shared the task): the pass keeps every {@code TASK_ATTR} of the
 *       sink's epochs it meets and, once it has met them all, copies those of the tasks
 *       with an event in a segment the first pass cut (the final one, one of another epoch cut
 *       just before it, and those it cut on the way when it took more than a segment's worth;
 *       whatever segment has their begin) or whose begin it copied, met before
 *       or after the attribute, recorded before the first pass ended (later ones would
 *       lie past the sink's end).</li>
 *   <li>A leased thread's buffer is in none of those places while the thread swaps it
 *       ({@link ThreadState#refilling}); the second sweep waits that out, within the
 *       detach's one deadline ({@link BufferCollector#DETACH_WAIT_NANOS} for both passes),
 *       and reads what a thread it waited for in vain holds where it holds it
 *       ({@link ThreadState#swapped}): its begins and attributes are copied, its other
 *       events counted as lost to the leaving sink (a thread seen swapping 64 buffers over
 *       during the sweep counts one event lost, an approximation).</li>
 *   <li>The earlier begins such an event needs were queued before it was committed
 *       ({@link EarlierBegin}: queued, then claimed), so they are in the final segment.</li>
 *   <li>Only begins and attributes recorded before the first pass ended are copied (one
 *       such an event needs was committed before it, so recorded before): tasks created
 *       after the final cut are not the leaving sink's. It may still get begins of tasks
 *       with no other event in it (created just before the cut), shown as open at its
 *       end.</li>
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
    /** The tasks whose attributes found in the pass are copied: begun or seen in the final segment, or begun in the pass. */
    private final java.util.Set<Long> attributed = new java.util.HashSet<>();
    /** The tasks whose begin this pass copied. */
    private final java.util.Set<Long> begun = new java.util.HashSet<>();
    /**
     * The task attributes found in the pass, in the order found, each once (a tail the pass read
     * in place may be met again re-emitted); copied at the end for the tasks in {@link #attributed}.
     */
    private final java.util.Set<Attribute> found = new java.util.LinkedHashSet<>();
    private boolean finished;

    /** A {@code TASK_ATTR} the pass found, to be copied if its task turns out to be {@link #attributed}. */
    private record Attribute(long thread, String threadName, long time, long task, int keyRef, String key,
                             String value) {
    }

    /** When the first pass ended: an attribute recorded after it is no event the sink's final segment needs. */
    private final long firstPassEnd;

    /**
     * @param attachEpoch the leaving sink's attach epoch: batches of older epochs are not its own
     * @param base the recording's monotonic base
     * @param firstPassEnd when the first pass ended ({@code System.nanoTime()})
     */
    ClosingBegins(int attachEpoch, long base, long firstPassEnd) {
        this.attachEpoch = attachEpoch;
        this.base = base;
        this.firstPassEnd = firstPassEnd;
    }

    /**
     * Copies the begins of one unit the sweep took: {@code header[0, headerLength)} (a
     * {@code BATCH_RESUME}, or nothing) then {@code src[offset, offset + n)}, which starts
     * with a batch header if there is no header; written under {@code epoch}. Its task
     * attributes are kept aside until the pass ends: the pass may meet an attribute before
     * its task's begin (another stripe, another buffer).
     *
     * @param strings the recording's string table, for the references in it
     * @return how many of its events are of other kinds than begins and task attributes
     *     (recorded before the first pass ended): what the pass does not copy
     */
    int scan(int epoch, byte[] header, int headerLength, byte[] src, int offset, int n, String[] strings) {
        int others = 0;
        if (epoch < attachEpoch || n <= 0) {
            return others;
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
                } else if (cursor.type() == Wire.TASK_ATTR) {
                    found.add(new Attribute(cursor.thread(), threadName, base + cursor.time(), cursor.arg(0),
                            (int) cursor.arg(1), cursor.string(1, strings), cursor.string(2, strings)));
                } else if (cursor.type() == Wire.TASK_BEGIN && base + cursor.time() <= firstPassEnd
                        && begun.add(cursor.arg(0))) {
                    // (a begin recorded after the first pass is of a task created as the sink left: not its own)
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
                    attributed.add(cursor.arg(0));
                    events++;
                } else if (cursor.type() != Wire.TASK_BEGIN && base + cursor.time() <= firstPassEnd) {
                    others++;
                }
            }
        } catch (FormatException e) {
            // the recorder's own bytes are well formed; one cut short by an Error mid-event ends here
        }
        return others;
    }

    private void ensure(int room) {
        if (length + room > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, length + room));
        }
    }

    /**
     * Before the pass: the tasks the leaving sink has events of in its final segment
     * ({@code events} of it, and the earlier begins it needs), whose attributes found in
     * the pass are copied too: an attribute committed before such an event (the creator's
     * {@code trace.id}, recorded before it shared the task) may sit in a buffer the first
     * pass had passed, whichever segment of the sink has the task's begin.
     */
    void seenIn(byte[] events, int length, java.util.List<EarlierBegin> earlier) {
        for (EarlierBegin e : earlier) {
            if (e.neededBy(attachEpoch)) {
                attributed.add(e.task);
            }
        }
        if (events == null) {
            return;
        }
        cursor.reset(events, 0, length);
        try {
            while (cursor.next()) {
                EventSpec spec = cursor.spec();
                for (int i = 0; i < spec.arity(); i++) {
                    if (spec.coding(i) == EventSpec.Coding.TASK && cursor.arg(i) != 0) {
                        attributed.add(cursor.arg(i));
                    }
                }
            }
        } catch (FormatException e) {
            // the writer's own segment: well formed
        }
    }

    /** After the pass: appends the attributes found of the tasks {@link #attributed}, once. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        long thread = -1;
        for (Attribute a : found) {
            if (!attributed.contains(a.task()) || a.time() > firstPassEnd) {
                continue; // not a task of the final segment, or recorded after it was cut (past the sink's end)
            }
            int keep = Codec.cut(a.value(), Wire.MAX_NAME_CHARS);
            ensure(EventEncoder.batchRoom(0, a.threadName()) + EventEncoder.FIXED + Codec.refSize(a.keyRef(), a.key())
                    + Codec.maxStringBytes(keep));
            if (a.thread() != thread) {
                thread = a.thread();
                length = EventEncoder.batch(out, length, batch, thread, 0, a.threadName(), a.time() - base, a.time());
            }
            length = EventEncoder.attribute(out, length, batch, a.time(), false, a.task(), a.keyRef(), a.key(),
                    a.value(), keep);
            events++;
        }
        found.clear();
    }

    /** @return how many events were copied (begins and attributes) */
    int count() {
        finish();
        return events;
    }

    /** @return the batches of the begins copied, then of the attributes */
    byte[] bytes() {
        finish();
        return Arrays.copyOf(out, length);
    }
}
