package io.asynctrace.internal;

import java.io.OutputStream;

/**
 * A consumer of every recording's trace, attached without holding any recording: for
 * asynctrace's own modules (trace-otel's live exporter reads the segments the writer
 * encodes anyway, so the application's threads pay nothing more); not a stable API.
 * Register it with {@link TraceTaps#add}.
 *
 * <p><b>Assumptions and guarantees.</b> While the tap is registered, each recording that
 * runs (started later, or running when the tap was added) writes a complete trace of its
 * own into the stream {@link #open} returns — a header, then its segments from the moment
 * of the attach, every task in it with its begin (a task begun before the attach gets an
 * earlier begin: its type and parent, not the attributes recorded with it) — from a thread of trace-core with its own
 * bounded queue: when the stream is slower than the recording, whole segments are dropped
 * and counted in the next segment's drop count, and neither the application's threads nor
 * the recording's other outputs wait. The stream is closed by that thread after the final
 * segment (the recording ended, or the tap was removed), or without one when the recording
 * failed or the stream threw (then this tap gets nothing more from that recording). A tap
 * never keeps a recording running.
 */
@FunctionalInterface
public interface TraceTap {
    /**
     * Called under trace-core's lifecycle lock when a recording starts or the tap is added
     * to a running one: return at once and do not record events here.
     *
     * @return where this recording's trace goes, or null to skip this recording; an
     *         exception skips it too (logged)
     */
    OutputStream open();
}
