package io.asynctrace;

import io.asynctrace.internal.Wire;

/**
 * Re-emits the tail of a stolen buffer: walks its events to recover the delta state at
 * the cut, then writes a {@code BATCH_RESUME} header carrying that state, followed by
 * the tail's bytes unchanged. Only the recorder's own, well-formed bytes are walked.
 */
final class Resume {
    private Resume() {
    }

    /** Bytes a resume header may need besides the thread name reference. */
    static final int HEADER = 1 + 4 * Encoding.MAX_VARINT;

    /**
     * Walks the events in {@code d[from, to)} from the delta state in {@code state}
     * ({ts, lastId, lastTask}), leaving the state at {@code to} there.
     *
     * @return the number of events walked
     */
    static int walk(byte[] d, int from, int to, long[] state) {
        int[] p = {from};
        int events = 0;
        while (p[0] < to) {
            byte type = d[p[0]++];
            state[0] += var(d, p);
            switch (type) {
                case Wire.TASK_BEGIN, Wire.TASK_BEGIN_EARLIER -> {
                    state[2] += zig(d, p);
                    var(d, p);
                    ref(d, p);
                    if (type == Wire.TASK_BEGIN_EARLIER) {
                        var(d, p);
                    }
                }
                case Wire.TASK_END -> {
                    state[2] += zig(d, p);
                    ref(d, p);
                }
                case Wire.SPAN_BEGIN -> {
                    state[1] += zig(d, p);
                    var(d, p);
                    state[2] += zig(d, p);
                    ref(d, p);
                }
                case Wire.SPAN_END, Wire.JOB_START, Wire.JOB_END -> state[1] += zig(d, p);
                case Wire.LOG, Wire.LOG_CUT -> {
                    state[2] += zig(d, p);
                    ref(d, p);
                    skipString(d, p);
                    if (type == Wire.LOG_CUT) {
                        var(d, p);
                    }
                }
                case Wire.TASK_ATTR -> {
                    state[2] += zig(d, p);
                    ref(d, p);
                    skipString(d, p);
                }
                case Wire.SPAN_ATTR -> {
                    state[1] += zig(d, p);
                    ref(d, p);
                    skipString(d, p);
                }
                case Wire.MISUSE -> {
                    var(d, p);
                    var(d, p);
                }
                case Wire.RUNTIME -> {
                    var(d, p);
                    var(d, p);
                    var(d, p);
                    ref(d, p);
                }
                case Wire.JOB_QUEUED -> {
                    state[1] += zig(d, p);
                    state[2] += zig(d, p);
                }
                default -> throw new IllegalStateException("asynctrace: unexpected event type " + type
                        + " in a leased buffer");
            }
            events++;
        }
        return events;
    }

    /** Writes a BATCH_RESUME header for {@code st}'s thread with the given delta state. */
    static int header(byte[] d, int p, ThreadState st, long tsSinceBase, long lastId, long lastTask) {
        d[p++] = Wire.BATCH_RESUME;
        p = Encoding.putVar(d, p, st.threadId);
        p = Encoding.putRef(d, p, st.nameRef, st.name);
        p = Encoding.putVar(d, p, Math.max(0, tsSinceBase));
        p = Encoding.putVar(d, p, lastId);
        return Encoding.putVar(d, p, lastTask);
    }

    private static long var(byte[] d, int[] p) {
        long v = 0;
        int shift = 0;
        byte b;
        do {
            b = d[p[0]++];
            v |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while (b < 0);
        return v;
    }

    private static long zig(byte[] d, int[] p) {
        long v = var(d, p);
        return (v >>> 1) ^ -(v & 1);
    }

    private static void ref(byte[] d, int[] p) {
        if (var(d, p) == 0) {
            skipString(d, p);
        }
    }

    private static void skipString(byte[] d, int[] p) {
        int length = (int) var(d, p); // read before p[0]: `p[0] += var(d, p)` would add to the stale position
        p[0] += length;
    }
}
