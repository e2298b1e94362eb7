package io.asynctrace.internal.format;

import static io.asynctrace.internal.format.Codec.putRef;
import static io.asynctrace.internal.format.Codec.putString;
import static io.asynctrace.internal.format.Codec.putVar;
import static io.asynctrace.internal.format.Codec.putZig;

/**
 * Writes each event kind of the {@link EventTable}, the one encoder of the recorder
 * and of {@code TraceWriter}: so both write the same bytes for the same events.
 *
 * <p>Each method writes one event at {@code p} into {@code d}, which the caller has
 * checked to have room (at most {@link #FIXED} bytes plus the strings' bounds from
 * {@link Codec#refSize} and {@link Codec#maxStringBytes}), updates the batch's
 * delta state {@code b} and returns the position after the event. A string
 * reference is the caller's table id, or 0 to write the string inline. Times are
 * on the caller's clock; an event earlier than the batch's last one is written as
 * simultaneous (delta 0). Allocation-free: the recorder's hot path calls these.
 */
public final class EventEncoder {
    private EventEncoder() {
    }

    /** Room for any event's type byte and fixed-size fields (up to six varints, and a stack id), rounded up. */
    public static final int FIXED = 1 + 7 * Codec.MAX_VARINT;
    /** Passed as a stack id: the event carries none (no {@link Wire#STACK_FLAG}). */
    public static final int NO_STACK = -1;

    /**
     * Room a batch header needs.
     *
     * @param nameRef the thread name's reference
     * @param name the thread name
     * @return the bound
     */
    public static int batchRoom(int nameRef, String name) {
        return 1 + 4 * Codec.MAX_VARINT + Codec.refSize(nameRef, name);
    }

    /**
     * {@code BATCH}: starts a batch of one thread's events.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state, reset to the new batch
     * @param thread the thread id
     * @param nameRef the thread name's reference (the recorder writes names inline: 0)
     * @param name the thread name
     * @param wireTime the time written: nanoseconds since the trace base
     * @param ts the same instant on the caller's clock
     * @return the position after it
     */
    public static int batch(byte[] d, int p, BatchState b, long thread, int nameRef, String name, long wireTime,
                            long ts) {
        d[p++] = Wire.BATCH;
        p = putVar(d, p, thread);
        p = putRef(d, p, nameRef, name);
        p = putVar(d, p, Math.max(0, wireTime));
        b.startBatch(ts);
        return p;
    }

    /**
     * {@code BATCH_RESUME}: continues a batch a flush cut in two, from its delta state.
     *
     * @param d the array
     * @param p where to write
     * @param thread the thread id
     * @param nameRef the thread name's reference
     * @param name the thread name
     * @param wireTime the batch's time at the cut, since the trace base
     * @param lastId the batch's last span or job id at the cut
     * @param lastTask the batch's last task id at the cut
     * @return the position after it
     */
    public static int batchResume(byte[] d, int p, long thread, int nameRef, String name, long wireTime, long lastId,
                                  long lastTask) {
        d[p++] = Wire.BATCH_RESUME;
        p = putVar(d, p, thread);
        p = putRef(d, p, nameRef, name);
        p = putVar(d, p, Math.max(0, wireTime));
        p = putVar(d, p, lastId);
        return putVar(d, p, lastTask);
    }

    /** The type byte and time delta every event but a batch header starts with. */
    private static int head(byte[] d, int p, BatchState b, byte type, long ts) {
        d[p++] = type;
        long dt = ts - b.lastTs;
        if (dt > 0) {
            b.lastTs = ts;
        } else {
            dt = 0;
        }
        return putVar(d, p, dt);
    }

    /** {@link #head}, then the stack id if there is one (type byte flagged). */
    private static int head(byte[] d, int p, BatchState b, byte type, long ts, int stack) {
        if (stack < 0) {
            return head(d, p, b, type, ts);
        }
        p = head(d, p, b, (byte) (type | Wire.STACK_FLAG), ts);
        return putVar(d, p, stack);
    }

    private static int task(byte[] d, int p, BatchState b, long task) {
        p = putZig(d, p, task - b.lastTask);
        b.lastTask = task;
        return p;
    }

    private static int span(byte[] d, int p, BatchState b, long span) {
        p = putZig(d, p, span - b.lastId);
        b.lastId = span;
        return p;
    }

    /**
     * {@code TASK_BEGIN}, or {@code TASK_BEGIN_EARLIER} when {@code earlier}.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param ts the event time
     * @param task the task id
     * @param parent the parent task id, or 0
     * @param typeRef the type's reference
     * @param type the task type
     * @param earlier whether the task was created before this event (its begin was not recorded then)
     * @param age for {@code earlier}: how long before {@code ts} it was created
     * @param stack the stack id, or {@link #NO_STACK}
     * @return the position after it
     */
    public static int taskBegin(byte[] d, int p, BatchState b, long ts, long task, long parent, int typeRef,
                                String type, boolean earlier, long age, int stack) {
        p = head(d, p, b, earlier ? Wire.TASK_BEGIN_EARLIER : Wire.TASK_BEGIN, ts, stack);
        p = task(d, p, b, task);
        p = putZig(d, p, parent == 0 ? 0 : task - parent);
        p = putRef(d, p, typeRef, type);
        if (earlier) {
            p = putVar(d, p, Math.max(0, age));
        }
        return p;
    }

    /**
     * {@code TASK_END}.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param ts the event time
     * @param task the task id
     * @param outcomeRef the outcome's reference
     * @param outcome the outcome
     * @return the position after it
     */
    public static int taskEnd(byte[] d, int p, BatchState b, long ts, long task, int outcomeRef, String outcome) {
        p = head(d, p, b, Wire.TASK_END, ts);
        p = task(d, p, b, task);
        return putRef(d, p, outcomeRef, outcome);
    }

    /**
     * {@code SPAN_BEGIN}.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param ts the event time
     * @param span the span id
     * @param parent the enclosing span, or 0
     * @param task the task id, or 0
     * @param nameRef the name's reference
     * @param name the span name
     * @param stack the stack id, or {@link #NO_STACK}
     * @return the position after it
     */
    public static int spanBegin(byte[] d, int p, BatchState b, long ts, long span, long parent, long task,
                                int nameRef, String name, int stack) {
        p = head(d, p, b, Wire.SPAN_BEGIN, ts, stack);
        p = span(d, p, b, span);
        p = putZig(d, p, parent == 0 ? 0 : span - parent);
        p = task(d, p, b, task);
        return putRef(d, p, nameRef, name);
    }

    /**
     * {@code SPAN_END}, {@code JOB_START} or {@code JOB_END}: a time and a span or job id.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param type one of the three type bytes
     * @param ts the event time
     * @param id the span or job id
     * @return the position after it
     */
    public static int idEvent(byte[] d, int p, BatchState b, byte type, long ts, long id) {
        p = head(d, p, b, type, ts);
        return span(d, p, b, id);
    }

    /**
     * {@code JOB_QUEUED}.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param ts the event time
     * @param job the job id
     * @param task the task it works for, or 0
     * @param stack the stack id, or {@link #NO_STACK}
     * @return the position after it
     */
    public static int jobQueued(byte[] d, int p, BatchState b, long ts, long job, long task, int stack) {
        p = head(d, p, b, Wire.JOB_QUEUED, ts, stack);
        p = span(d, p, b, job);
        return task(d, p, b, task);
    }

    /**
     * {@code LOG}, or {@code LOG_CUT} when the message was longer than what is kept.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param ts the event time
     * @param task the task id, or 0
     * @param categoryRef the category's reference
     * @param category the category
     * @param message the message
     * @param keep how many of its chars to write, from {@link Codec#cut}
     * @param originalChars the message's length before any cut (more than {@code keep}: a cut log)
     * @param stack the stack id, or {@link #NO_STACK}
     * @return the position after it
     */
    public static int log(byte[] d, int p, BatchState b, long ts, long task, int categoryRef, String category,
                          String message, int keep, long originalChars, int stack) {
        boolean cut = originalChars > keep;
        p = head(d, p, b, cut ? Wire.LOG_CUT : Wire.LOG, ts, stack);
        p = task(d, p, b, task);
        p = putRef(d, p, categoryRef, category);
        p = putString(d, p, message, keep);
        if (cut) {
            p = putVar(d, p, originalChars);
        }
        return p;
    }

    /**
     * {@code TASK_ATTR} or {@code SPAN_ATTR}.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param ts the event time
     * @param onSpan whether {@code target} is a span (else a task)
     * @param target the span or task id
     * @param keyRef the key's reference
     * @param key the key
     * @param value the value
     * @param keep how many of its chars to write, from {@link Codec#cut}
     * @return the position after it
     */
    public static int attribute(byte[] d, int p, BatchState b, long ts, boolean onSpan, long target, int keyRef,
                                String key, String value, int keep) {
        p = head(d, p, b, onSpan ? Wire.SPAN_ATTR : Wire.TASK_ATTR, ts);
        p = onSpan ? span(d, p, b, target) : task(d, p, b, target);
        p = putRef(d, p, keyRef, key);
        return putString(d, p, value, keep);
    }

    /**
     * {@code MISUSE}.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param ts the event time
     * @param kind a {@code Wire.MISUSE_*} code
     * @param id the span or task involved
     * @return the position after it
     */
    public static int misuse(byte[] d, int p, BatchState b, long ts, int kind, long id) {
        p = head(d, p, b, Wire.MISUSE, ts);
        p = putVar(d, p, kind);
        return putVar(d, p, id);
    }

    /**
     * {@code RUNTIME}: the recorder writes each in a batch of its own, detail inline.
     *
     * @param d the array
     * @param p where to write
     * @param b the batch state
     * @param ts the event time
     * @param kind a {@code Wire.RUNTIME_*} code
     * @param duration nanoseconds (negative: 0)
     * @param value the kind's number (negative: 0)
     * @param detailRef the detail's reference
     * @param detail the kind's text
     * @param stack the stack id, or {@link #NO_STACK}
     * @return the position after it
     */
    public static int runtime(byte[] d, int p, BatchState b, long ts, int kind, long duration, long value,
                              int detailRef, String detail, int stack) {
        p = head(d, p, b, Wire.RUNTIME, ts, stack);
        p = putVar(d, p, kind);
        p = putVar(d, p, Math.max(0, duration));
        p = putVar(d, p, Math.max(0, value));
        return putRef(d, p, detailRef, detail);
    }
}
