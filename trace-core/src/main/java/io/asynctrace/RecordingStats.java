package io.asynctrace;

import java.io.IOException;
import java.util.Optional;

/**
 * What one recording wrote: returned by {@link Trace#stop()}.
 *
 * <p>{@code droppedEvents} counts events that were not recorded because no buffer
 * was free (the writer fell behind); the same count is written into the trace.
 * {@code failure} is present when the output stream threw: the trace then holds a
 * readable prefix, and recording stopped at that point.
 */
public final class RecordingStats {
    static final RecordingStats NONE = new RecordingStats(0, 0, 0, null);

    private final long bytesWritten;
    private final long segments;
    private final long droppedEvents;
    private final IOException failure;

    RecordingStats(long bytesWritten, long segments, long droppedEvents, IOException failure) {
        this.bytesWritten = bytesWritten;
        this.segments = segments;
        this.droppedEvents = droppedEvents;
        this.failure = failure;
    }

    /** @return bytes written to the output stream, header included */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** @return segments written */
    public long segments() {
        return segments;
    }

    /** @return events dropped because no buffer was free */
    public long droppedEvents() {
        return droppedEvents;
    }

    /** @return the exception that stopped the recording early, if any */
    public Optional<IOException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        return "RecordingStats[bytesWritten=" + bytesWritten + ", segments=" + segments + ", droppedEvents="
                + droppedEvents + (failure == null ? "" : ", failure=" + failure) + "]";
    }
}
