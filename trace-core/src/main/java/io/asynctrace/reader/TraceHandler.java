package io.asynctrace.reader;

/**
 * Receives the events of a trace, in file order, from {@link TraceReader#read}.
 *
 * <p>Times are nanoseconds since the recording's base (see {@link TraceHeader});
 * {@code thread} is the id of the thread that emitted the event. Events of one
 * thread arrive in time order, but threads' batches are interleaved in the order
 * their buffers were flushed: an end may arrive before its begin. Ids of tasks,
 * spans and jobs are unique within the recording JVM; 0 means "none".
 * All methods do nothing by default.
 */
public interface TraceHandler {
    /** @param header the file header, before any other call */
    default void onHeader(TraceHeader header) {
    }

    /**
     * A segment starts.
     *
     * @param sequence the segment's number, from 0
     * @param offset its byte offset in the file
     * @param dropped events the recorder dropped since the previous segment
     */
    default void onSegment(long sequence, long offset, long dropped) {
    }

    /**
     * A batch of one thread's events starts.
     *
     * @param thread the thread id
     * @param name the thread's name when it first wrote to this recording
     */
    default void onThread(long thread, String name) {
    }

    /**
     * A task was created.
     *
     * @param time creation time; negative when the task was created before the trace started
     * @param thread the creating thread, or the thread that first mentioned the task in this recording when {@code earlier}
     * @param task the task id
     * @param parent the parent task id, or 0
     * @param type the task type
     * @param earlier whether the task was created before the recording saw it (before start, or while its buffer was dropped)
     */
    default void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
    }

    /**
     * @param time when the task ended
     * @param thread the ending thread
     * @param task the task id
     * @param outcome how it ended ({@code "ok"}, an exception class, {@code "cancelled"}, ...)
     */
    default void onTaskEnd(long time, long thread, long task, String outcome) {
    }

    /**
     * @param time when the span began
     * @param thread the thread it began on
     * @param span the span id
     * @param parent the enclosing span on that thread, or 0
     * @param task the task it belongs to, or 0
     * @param name the span name
     */
    default void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
    }

    /**
     * @param time when the span ended
     * @param thread the thread it ended on
     * @param span the span id
     */
    default void onSpanEnd(long time, long thread, long span) {
    }

    /**
     * @param time when the message was logged
     * @param thread the logging thread
     * @param task the task it was logged on, or 0
     * @param category the category
     * @param message the message (a cut message, delivered here by the default {@link #onLogCut}, ends with a
     *                note of its original length)
     */
    default void onLog(long time, long thread, long task, String category, String message) {
    }

    /**
     * A log message that was cut when recorded (it was longer than the recorder keeps).
     * By default it goes to {@link #onLog} with a note of its original length appended
     * ({@code "… [cut from N chars]"}); a handler that writes traces overrides this to
     * keep the cut as a cut.
     *
     * @param time when the message was logged
     * @param thread the logging thread
     * @param task the task it was logged on, or 0
     * @param category the category
     * @param message what was kept of the message
     * @param originalChars the message's length before the cut
     */
    default void onLogCut(long time, long thread, long task, String category, String message, long originalChars) {
        onLog(time, thread, task, category, message + "… [cut from " + originalChars + " chars]");
    }

    /**
     * @param time when the attribute was set
     * @param thread the thread that set it
     * @param target the task or span id
     * @param onSpan whether {@code target} is a span (else a task)
     * @param key the attribute key
     * @param value its value
     */
    default void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
    }

    /**
     * @param time when the job was queued
     * @param thread the submitting thread
     * @param job the job id
     * @param task the task it runs for, or 0
     */
    default void onJobQueued(long time, long thread, long job, long task) {
    }

    /**
     * @param time when the job started running
     * @param thread the thread running it
     * @param job the job id
     */
    default void onJobStarted(long time, long thread, long job) {
    }

    /**
     * @param time when the job finished
     * @param thread the thread that ran it
     * @param job the job id
     */
    default void onJobFinished(long time, long thread, long job) {
    }

    /**
     * @param time when the misuse happened
     * @param thread the misusing thread
     * @param kind what was misused
     * @param id the span or task involved
     */
    default void onMisuse(long time, long thread, Misuse kind, long id) {
    }

    /**
     * A JVM runtime event (recordings with runtime events on; see {@link RuntimeKind}).
     *
     * @param time when it began
     * @param thread the thread it happened on (0: the JVM itself)
     * @param kind what happened
     * @param duration how long, ns (0 for instants)
     * @param value the kind's number, or 0
     * @param detail the kind's text, or ""
     */
    default void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
    }

    // ---- the same events with their call stacks ---------------------------------------------
    // The reader calls these. Each passes the event on to the form without a stack, so a
    // handler that does not care about stacks overrides only those; one that does
    // overrides these. A stack is null when the event carries none.

    /**
     * {@link #onTaskBegin(long, long, long, long, String, boolean)} with the stack the task was created at.
     *
     * @param time creation time
     * @param thread the creating thread
     * @param task the task id
     * @param parent the parent task id, or 0
     * @param type the task type
     * @param earlier whether the task was created before the recording saw it
     * @param stack where it was created (recordings with {@code TraceOptions.withStackDepth}), or null
     */
    default void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier,
                             CallStack stack) {
        onTaskBegin(time, thread, task, parent, type, earlier);
    }

    /**
     * {@link #onSpanBegin(long, long, long, long, long, String)} with the stack the span began at.
     *
     * @param time when the span began
     * @param thread the thread it began on
     * @param span the span id
     * @param parent the enclosing span on that thread, or 0
     * @param task the task it belongs to, or 0
     * @param name the span name
     * @param stack where it began (recordings with {@code TraceOptions.withStackDepth}), or null
     */
    default void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        onSpanBegin(time, thread, span, parent, task, name);
    }

    /**
     * {@link #onLog(long, long, long, String, String)} with the stack the message was logged at.
     *
     * @param time when the message was logged
     * @param thread the logging thread
     * @param task the task it was logged on, or 0
     * @param category the category
     * @param message the message
     * @param stack where it was logged (recordings with {@code TraceOptions.withStackDepth}), or null
     */
    default void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        onLog(time, thread, task, category, message);
    }

    /**
     * {@link #onLogCut(long, long, long, String, String, long)} with the stack the message was logged at.
     *
     * @param time when the message was logged
     * @param thread the logging thread
     * @param task the task it was logged on, or 0
     * @param category the category
     * @param message what was kept of the message
     * @param originalChars the message's length before the cut
     * @param stack where it was logged (recordings with {@code TraceOptions.withStackDepth}), or null
     */
    default void onLogCut(long time, long thread, long task, String category, String message, long originalChars,
                          CallStack stack) {
        onLogCut(time, thread, task, category, message, originalChars);
    }

    /**
     * {@link #onJobQueued(long, long, long, long)} with the stack the job was queued at: where
     * the hop to another thread was scheduled.
     *
     * @param time when the job was queued
     * @param thread the submitting thread
     * @param job the job id
     * @param task the task it runs for, or 0
     * @param stack where it was queued (recordings with {@code TraceOptions.withStackDepth}), or null
     */
    default void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        onJobQueued(time, thread, job, task);
    }

    /**
     * {@link #onRuntime(long, long, RuntimeKind, long, long, String)} with the stack JDK Flight
     * Recorder took: where the thread parked, waited for a monitor, slept, read or wrote a
     * socket, or was pinned.
     *
     * @param time when it began
     * @param thread the thread it happened on (0: the JVM itself)
     * @param kind what happened
     * @param duration how long, ns (0 for instants)
     * @param value the kind's number, or 0
     * @param detail the kind's text, or ""
     * @param stack the thread's stack (see {@code RuntimeEvents.withStackDepth}), or null
     */
    default void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                           CallStack stack) {
        onRuntime(time, thread, kind, duration, value, detail);
    }
}
