package io.asynctrace.tool;

import io.asynctrace.reader.TraceReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The segments of a trace file read so far: each one's byte offset and the earliest and
 * latest time of its events, so that a window of time can be read from the segments
 * that hold it instead of the whole file. Segments of different threads' batches overlap
 * in time; a window reads every segment whose time range meets it. Memory: three longs a
 * segment, and the reader's tables after it. Not thread-safe.
 */
final class SegmentTable {
    private long[] offset = new long[256];
    private long[] min = new long[256];
    private long[] max = new long[256];
    /** The reader's tables after each segment's own (format 3: what a read from there starts with), or null. */
    private TraceReader.Tables[] tables = new TraceReader.Tables[256];
    private int count;
    /** Where the last segment ends: the offset read up to. */
    private long end;

    /** The latest event time of the segments before the current one, and the widest time range of one. */
    private long latest = Long.MIN_VALUE;
    private long widest;

    /** A segment starts at {@code at}: the previous one ends there. */
    void start(long at) {
        start(at, null);
    }

    /** As {@link #start(long)}, with the tables the reader holds once that segment's are read. */
    void start(long at, TraceReader.Tables after) {
        if (count == offset.length) {
            offset = Arrays.copyOf(offset, count * 2);
            min = Arrays.copyOf(min, count * 2);
            max = Arrays.copyOf(max, count * 2);
            tables = Arrays.copyOf(tables, count * 2);
        }
        latest = latest();
        widest = widest();
        tables[count] = after;
        offset[count] = at;
        min[count] = Long.MAX_VALUE;
        max[count] = Long.MIN_VALUE;
        count++;
        end = at;
    }

    /** The current segment holds an event at {@code time}. */
    void see(long time) {
        if (count > 0) {
            int s = count - 1;
            if (time < min[s]) {
                min[s] = time;
            }
            if (time > max[s]) {
                max[s] = time;
            }

        }
    }

    /** @return the latest event time of the segments so far (the current one too), or MIN_VALUE */
    long latest() {
        return count == 0 ? latest : Math.max(latest, max[count - 1]);
    }

    /** @return the widest time range (latest less earliest event) of one segment so far (the current one too) */
    long widest() {
        return count == 0 || min[count - 1] == Long.MAX_VALUE ? widest : Math.max(widest, max[count - 1] - min[count - 1]);
    }

    /** @return about the bytes the table takes */
    long bytes() {
        return (long) offset.length * (3 * Long.BYTES + 8);
    }

    /** @param at where the segments read end (the file's size, or where it was cut) */
    void end(long at) {
        end = at;
    }

    /** @return the earliest event time of the current segment, or MAX_VALUE if none or it has no event */
    long currentMin() {
        return count == 0 ? Long.MAX_VALUE : min[count - 1];
    }

    /**
     * @return the byte ranges {@code [start, end)} of the segments with an event in
     *     {@code [from, to]}, in file order, merged where adjacent; {@code long[0]} holds
     *     their total length. The current segment counts only once {@link #end} or the next
     *     {@link #start} says where it ends.
     */
    long[][] meeting(long from, long to) {
        List<long[]> ranges = new ArrayList<>();
        long total = 0;
        for (int s = 0; s < count; s++) {
            long start = offset[s];
            long stop = s + 1 < count ? offset[s + 1] : end;
            if (min[s] == Long.MAX_VALUE || max[s] < from || min[s] > to || stop <= start) {
                continue;
            }
            total += stop - start;
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == start) {
                ranges.get(ranges.size() - 1)[1] = stop;
            } else {
                ranges.add(new long[] {start, stop});
            }
        }
        long[][] out = new long[ranges.size() + 1][];
        out[0] = new long[] {total};
        for (int i = 0; i < ranges.size(); i++) {
            out[i + 1] = ranges.get(i);
        }
        return out;
    }

    int count() {
        return count;
    }

    /**
     * @param stop the end of the last segment a read takes
     * @return the tables after the last segment that starts before {@code stop}: what a reader of
     *     segments up to there starts from (entries never change within a file)
     */
    TraceReader.Tables tablesBefore(long stop) {
        TraceReader.Tables t = TraceReader.Tables.NONE;
        for (int s = 0; s < count && offset[s] < stop; s++) {
            if (tables[s] != null) {
                t = tables[s];
            }
        }
        return t;
    }
}
