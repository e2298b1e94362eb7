package io.asynctrace.reader;

/**
 * One recorded misuse of the API.
 *
 * @param time when it happened
 * @param thread the misusing thread
 * @param kind what was misused
 * @param id the span or task involved
 */
public record MisuseInfo(long time, long thread, Misuse kind, long id) {
}
