package io.asynctrace.reader;

/**
 * The file header of a trace: its format version and its clock anchor.
 *
 * <p>Event times are nanoseconds since the recording's base, read from
 * {@code System.nanoTime()}. {@link #wallClockNanos(long)} turns one into
 * nanoseconds since the Unix epoch using the wall-clock time taken at the base, so
 * traces from two processes can be aligned (to the precision of their wall clocks).
 *
 * @param version the format version
 * @param wallBaseNanos wall-clock time at the base, nanoseconds since the Unix epoch
 * @param monotonicBase the raw {@code System.nanoTime()} value at the base
 */
public record TraceHeader(int version, long wallBaseNanos, long monotonicBase) {
    /**
     * @param time an event time from this trace
     * @return the same instant as nanoseconds since the Unix epoch
     */
    public long wallClockNanos(long time) {
        return wallBaseNanos + time;
    }
}
