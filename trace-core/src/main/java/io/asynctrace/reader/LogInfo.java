package io.asynctrace.reader;

/**
 * A log message from a trace.
 *
 * @param time when it was logged
 * @param thread the logging thread
 * @param taskId the task it was logged on, or 0
 * @param category its category
 * @param message its text
 */
public record LogInfo(long time, long thread, long taskId, String category, String message) {
}
