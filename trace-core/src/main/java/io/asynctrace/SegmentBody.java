package io.asynctrace;

import io.asynctrace.internal.format.StackTableBytes;
import io.asynctrace.internal.format.StringTableBytes;

/**
 * What the writer thread encodes once per segment and hands to every sink: the
 * recording's string and stack tables as they stand, and the batches. Each sink frames
 * it with its own sequence number, drop count and table entries (only those its output
 * does not have yet). Immutable once handed over: the tables are snapshots, the events
 * a copy.
 *
 * @param strings the string table (ids 1..count)
 * @param stacks the stack table
 * @param events the batches
 * @param eventsLength bytes of them
 * @param eventCount how many events they hold (batch headers are none), counted as they were written
 * @param droppedTotal the recording's drop count (no buffer free) when the segment was cut
 * @param begins earlier begins queued since the segment before, for the sinks that lack them
 * @param epoch the oldest recording epoch its events were written under: they are for the
 *     sinks attached at or before it ({@link Sink#takesEventsOf}); no sink attached between
 *     it and the newest epoch of its events
 */
record SegmentBody(StringTableBytes.Snapshot strings, StackTableBytes.Snapshot stacks, byte[] events,
                   int eventsLength, int eventCount, long droppedTotal, java.util.List<EarlierBegin> begins, int epoch) {
    /** @return the number of events in it, the earlier begins included */
    long countEvents() {
        long n = eventCount;
        for (EarlierBegin e : begins) {
            n += e.events(Integer.MAX_VALUE); // the most it stands for, in any output
        }
        return n;
    }

    /** @return the bytes a sink holds while it queues this segment (the tables are shared by every segment) */
    long size() {
        return eventsLength;
    }
}
