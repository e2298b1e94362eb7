package io.asynctrace.internal;

/**
 * A task that ended during a recording, as {@link TaskEndListener}s receive it. Times are
 * {@code System.nanoTime()} values; {@code recordingWallBase + (time - recordingBase)} is
 * the same instant in nanoseconds since the epoch, exactly as the trace file maps it, so
 * a live consumer and a reader of the file agree.
 *
 * @param id the task id
 * @param parentId the parent task's id, or 0
 * @param rootId the id of the root of its task tree (its own id for a root task)
 * @param type the task type
 * @param startNanos when it was created
 * @param endNanos when it ended
 * @param outcome how it ended
 * @param thread the name of the thread that ended it
 * @param traceId the OpenTelemetry trace id its tree joined (captured at {@code Trace.newTask}), or null
 * @param parentSpanId for a root task that joined an OpenTelemetry span: that span's id, else null
 * @param recordingWallBase the recording's wall-clock base, ns since the epoch
 * @param recordingBase the recording's {@code System.nanoTime()} base
 */
public record TaskEnd(long id, long parentId, long rootId, String type, long startNanos, long endNanos, String outcome,
        String thread, String traceId, String parentSpanId, long recordingWallBase, long recordingBase) {
}
