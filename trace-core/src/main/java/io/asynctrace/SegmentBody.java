package io.asynctrace;

import io.asynctrace.internal.format.StackTableBytes;

/**
 * What the writer thread encodes once per segment and hands to every sink: the
 * string table, the stack table and the batches. Each sink frames it with its own sequence number
 * and drop count. Immutable once handed over: the arrays are never written again
 * (the string table is only appended past {@code stringsLength}).
 *
 * @param strings the encoded string table (ids 1..stringCount)
 * @param stringsLength bytes of it
 * @param stringCount strings in it
 * @param stacks the stack table (immutable snapshot)
 * @param events the batches
 * @param eventsLength bytes of them
 * @param droppedTotal the recording's drop count (no buffer free) when the segment was cut
 */
record SegmentBody(byte[] strings, int stringsLength, int stringCount, StackTableBytes.Snapshot stacks,
                   byte[] events, int eventsLength,
                   long droppedTotal) {
    /** @return the number of events in it (walks them: only for a sink that must count a segment it drops) */
    long countEvents() {
        return Resume.countEvents(events, eventsLength);
    }

    /** @return the bytes a sink holds while it queues this segment */
    long size() {
        return (long) stringsLength + stacks.size() + eventsLength;
    }
}
