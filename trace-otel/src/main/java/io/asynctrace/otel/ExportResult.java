package io.asynctrace.otel;

/**
 * What a file export sent.
 *
 * @param spans spans the backend accepted: {@code tasks + asyncSpans}
 * @param tasks tasks exported (each one span)
 * @param asyncSpans asynctrace spans exported (each one span)
 * @param events logs exported as span events
 * @param droppedEvents logs over the per-task limit, not sent (counted in each span's total recorded events)
 * @param logsOutsideTasks logs that belong to no task, not sent (there is no span to put them on)
 * @param late logs and attributes read after their task or span had been exported, not sent
 */
public record ExportResult(long spans, long tasks, long asyncSpans, long events, long droppedEvents,
        long logsOutsideTasks, long late) {
}
