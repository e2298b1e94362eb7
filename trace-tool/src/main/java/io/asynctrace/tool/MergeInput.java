package io.asynctrace.tool;

import io.asynctrace.reader.TraceHeader;
import java.nio.file.Path;

/**
 * One input of {@code merge}: its file and label, how its ids and times map into the
 * merged trace, and the traceparent links found in it.
 *
 * <p>An id {@code x != 0} (task, span, job, misuse target) becomes {@code x + idOffset};
 * a thread id {@code t} becomes {@code t + idOffset}; a time {@code t} becomes
 * {@code t + shift}. Not thread-safe.
 */
final class MergeInput {
    final int index;
    final Path file;
    final String label;

    /** The input's header, from the first pass. */
    TraceHeader header;
    /** The largest task, span, job or thread id in the input. */
    long maxId;
    /** Added to every id. */
    long idOffset;
    /** The clock correction from traceparent links, in ns (0: its wall clock is trusted). */
    long correction;
    /** Added to every time: {@code wallBase + correction - merged wallBase}. */
    long shift;
    /** How the correction was found, for the report. */
    String clockNote = "no links: wall clock";

    /** Pass one: client spans, local span id to its {@code trace.span_id} (as an unsigned long). */
    LongMap<Object> clientSpans = new LongMap<>();
    /** Pass one: request tasks, local task id to their {@code trace.parent_id}. */
    LongMap<Object> remoteChildren = new LongMap<>();

    /** After the join: caller spans in this input, local span id to their links (chained). */
    final LongMap<MergeLinks.Link> callerSpans = new LongMap<>();
    /** After the join: callee tasks in this input, local task id to their link. */
    final LongMap<MergeLinks.Link> calleeTasks = new LongMap<>();

    MergeInput(int index, Path file, String label) {
        this.index = index;
        this.file = file;
        this.label = label;
    }

    long id(long id) {
        return id == 0 ? 0 : id + idOffset;
    }

    long thread(long thread) {
        return thread + idOffset;
    }

    long time(long time) {
        return time + shift;
    }

    /** @return the input's wall-clock base with its correction, ns since the epoch */
    long correctedBase() {
        return header.wallBaseNanos() + correction;
    }

    @Override
    public String toString() {
        return label + " (" + file + ")";
    }
}
