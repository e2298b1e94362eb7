package io.asynctrace.reader;

/**
 * A log message from a trace.
 *
 * @param time when it was logged
 * @param thread the logging thread
 * @param taskId the task it was logged on, or 0
 * @param category its category
 * @param message its text
 * @param stack where it was logged (recordings with a stack depth), or null
 */
public record LogInfo(long time, long thread, long taskId, String category, String message, CallStack stack) {
    /**
     * A log without a stack.
     *
     * @param time when it was logged
     * @param thread the logging thread
     * @param taskId the task, or 0
     * @param category the category
     * @param message the message
     */
    public LogInfo(long time, long thread, long taskId, String category, String message) {
        this(time, thread, taskId, category, message, null);
    }
}
