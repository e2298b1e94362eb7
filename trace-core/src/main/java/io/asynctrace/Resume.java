package io.asynctrace;

import io.asynctrace.internal.format.EventCursor;
import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.FormatException;

/**
 * Re-emits the tail of a stolen buffer: walks its events (with the format's
 * {@link EventCursor}) to recover the delta state at the cut, then writes a
 * {@code BATCH_RESUME} header carrying that state, followed by the tail's bytes
 * unchanged. Only the recorder's own, well-formed bytes are walked.
 */
final class Resume {
    private Resume() {
    }

    /** The delta state of a buffer's batch at some position: time, last span/job id, last task id. */
    record State(long ts, long lastId, long lastTask) {
    }

    /** The state of {@code b}'s batch at {@code at}, which is an event boundary past its header. */
    static State stateAt(Buffer b, int at) {
        EventCursor c = new EventCursor().resume(b.data, b.headerEnd, at, b.baseTs, b.baseId, b.baseTask);
        walk(c);
        return new State(c.time(), c.lastId(), c.lastTask());
    }

    private static int walk(EventCursor c) {
        int events = 0;
        try {
            while (c.next()) {
                events++;
            }
        } catch (FormatException e) {
            throw new IllegalStateException("asynctrace: unreadable event in a leased buffer at " + e.position()
                    + ": " + e.getMessage(), e);
        }
        return events;
    }

    /** Writes a BATCH_RESUME header for {@code st}'s thread with the given delta state. */
    static int header(byte[] d, int p, ThreadState st, long tsSinceBase, long lastId, long lastTask) {
        return EventEncoder.batchResume(d, p, st.threadId, st.nameRef, st.name, tsSinceBase, lastId, lastTask);
    }
}
