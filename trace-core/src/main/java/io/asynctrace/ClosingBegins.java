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
 * (time, thread, parent, type, stack), in a batch of the same thread; every other event
 * is left out. Writer thread only.
 */
final class ClosingBegins {
    private final int attachEpoch;
    private final long base;
    private final EventCursor cursor = new EventCursor();
    private final BatchState batch = new BatchState();
    private byte[] out = new byte[256];
    private int length;
    private int begins;

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
                    begins++;
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

    /** @return how many begins were copied */
    int count() {
        return begins;
    }

    /** @return the batches of the begins copied */
    byte[] bytes() {
        return Arrays.copyOf(out, length);
    }
}
