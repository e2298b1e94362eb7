package io.asynctrace;

import io.asynctrace.internal.TraceTap;
import io.asynctrace.internal.TraceTaps;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The one owner of what is recording in this JVM: the running recording (its
 * {@link Recorder}, writer thread and JFR stream) and every consumer attached to it,
 * the {@link Trace#start} output and the {@link FlightRecorder}'s ring. {@link Trace}
 * and {@link FlightRecorder} only ask it; nothing else changes {@link Recorder#active}.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Every change (start, stop, attach, detach, a consumer's or the writer's
 *       failure) happens under one lock, {@code Recordings.class}, so changes never
 *       interleave. Nobody who only looks takes it: application threads read
 *       {@link Recorder#active} once per event, and {@link FlightRecorder#running} (called on
 *       Netty's event loop) and {@link Trace#flush} read the volatile fields below, so
 *       none of them waits for a change in progress (a stop holds the lock through the
 *       JFR stop and the writer's join, a detach through its passes). Such a reader
 *       sees the state before the change or after it, field by field.</li>
 *   <li>A recording runs while at least one consumer holds it: the {@code Trace.start}
 *       output until {@code Trace.stop} (or until that output fails), the flight
 *       recorder until its {@code stop}. When the last one lets go, the recording
 *       ends: its JFR stream stops, every buffer is written, each sink gets its final
 *       segment, and {@link Recorder#active} is null again.</li>
 *   <li>The first consumer's {@link TraceOptions} set the recording's. A second one
 *       that asks for other options is refused ({@link IllegalStateException}); one
 *       that asks for none ({@code Trace.start(out)}, a flight recorder without
 *       {@code withOptions}) joins with the running recording's.</li>
 *   <li>A consumer attached to a running recording gets only what is recorded after
 *       the attach, in a trace of its own (header, its own sequence numbers, drops
 *       counted from the attach) in which every task it sees has its begin.</li>
 *   <li>Consumers cannot hurt each other: each {@link Sink} has its own bounded queue,
 *       so a slow or failed output loses only its own data, counted in its own
 *       output and {@link RecordingStats}. A failed {@code Trace.start} output is
 *       detached at once: {@code Trace.start} works again, and {@code Trace.stop}
 *       returns that output's figures with the failure.</li>
 *   <li>If the writer thread itself fails (a bug), the recording ends for every
 *       consumer: the JFR stream is closed, the flight recorder stops (it serves no
 *       stale ring), and a new start works.</li>
 *   <li>Each registered {@link TraceTap} gets a {@link StreamSink} of its own on every
 *       recording (from its start, or from the tap's registration), but holds none: the
 *       recording ends when its {@code Trace.start} output and flight recorder let go,
 *       and the taps' sinks get their final segment with the others.</li>
 * </ul>
 */
final class Recordings {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");

    // Written under Recordings.class; the volatile ones are also read without it (see above).
    private static volatile Recorder recorder;
    private static volatile StreamSink file;
    private static RecordingStats lastFileStats = RecordingStats.NONE;
    private static volatile FlightRecorder flight;
    private static volatile FlightRing ring;
    /** The running recording's sink for each registered tap. */
    private static final Map<TraceTap, StreamSink> tapSinks = new IdentityHashMap<>();

    static {
        TraceTaps.bind(new TraceTaps.Binding() {
            @Override
            public void added(TraceTaps.Registered tap) {
                tapAdded(tap);
            }

            @Override
            public void removed(TraceTap tap) {
                tapRemoved(tap);
            }
        });
    }

    private Recordings() {
    }

    /**
     * {@link Trace#start}: {@code joinAsIs} joins a running recording with its options
     * ({@code requested} then only applies to a recording this starts; null: the defaults).
     *
     * @return true if it started a recording, false if it joined the running one
     */
    static synchronized boolean startFile(OutputStream out, TraceOptions requested, boolean joinAsIs) {
        Objects.requireNonNull(out, "out");
        if (file != null) {
            throw new IllegalStateException("tracing is already on: call Trace.stop() first");
        }
        Recorder r = joinAsIs ? recorder : join(requested, "Trace.start(out, options)");
        StreamSink sink = new StreamSink(out, r == null ? fresh(requested) : r, "asynctrace-sink-trace",
                Recordings::sinkFailed);
        if (!attach(r, sink)) {
            throw new IllegalStateException("the recording ended while Trace.start attached its output");
        }
        file = sink;
        return r == null;
    }

    /** {@link Trace#stop}: the output's figures; the last ones if none is attached. */
    static RecordingStats stopFile() {
        StreamSink sink;
        Recorder r;
        synchronized (Recordings.class) {
            sink = file;
            if (sink == null) {
                return lastFileStats;
            }
            file = null;
            r = recorder;
            if (flight == null) {
                end(r);
            } else {
                detach(r, sink);
            }
        }
        // Outside the lock: a slow output must not hold up a flight recorder's start or stop.
        RecordingStats stats = sink.awaitClosed();
        synchronized (Recordings.class) {
            lastFileStats = stats;
        }
        return stats;
    }

    /**
     * {@link Trace#flush}: false if tracing is off or the recording ended first, if the
     * writer or the output did not take everything within {@code timeoutNanos} in all, if
     * the writer left out a shared buffer its holder kept locked, or if the output (the
     * {@code Trace.start} one, else the flight recorder's ring) lost events since the
     * previous flush (its own, or the recording's: both counted in it). Never waits for the
     * lock: a flush racing a stop finds the recorder gone (false) or flushes before it.
     */
    static boolean flushFile(long timeoutNanos) {
        Recorder r;
        StreamSink sink;
        Sink target;
        do { // the outputs read while the recording stayed the same one: they are its own
            r = recorder;
            sink = file;
            target = sink != null ? sink : ring;
        } while (r != recorder);
        if (r == null) {
            return false;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        long skipped = r.writer.stripesSkipped();
        if (!r.writer.flush(timeoutNanos)) {
            return false;
        }
        boolean whole = r.writer.stripesSkipped() == skipped;
        boolean delivered = sink == null || sink.awaitDelivered(sink.offered(), deadline);
        boolean nothingLost = target == null || target.nothingLostSinceLastFlush(r.dropped.get());
        return nothingLost && delivered && whole;
    }

    /** {@link FlightRecorder#start}: the ring it keeps. */
    static synchronized FlightRing startFlight(FlightRecorder f, TraceOptions requested, long maxBytes,
                                               long minAgeNanos) {
        if (flight != null) {
            throw new IllegalStateException("a flight recorder is already running: stop it first");
        }
        Recorder r = join(requested, "FlightRecorder.withOptions");
        FlightRing kept = new FlightRing(r == null ? fresh(requested) : r, maxBytes, minAgeNanos);
        if (!attach(r, kept)) {
            throw new IllegalStateException("the recording ended while the flight recorder attached");
        }
        flight = f;
        ring = kept;
        f.attached(recorder, kept);
        return kept;
    }

    /** {@link FlightRecorder#stop}; does nothing unless {@code f} is the running one. */
    static synchronized void stopFlight(FlightRecorder f) {
        if (flight != f) {
            return;
        }
        Recorder r = recorder;
        flight = null;
        FlightRing kept = ring;
        ring = null;
        f.detached();
        if (file == null) {
            end(r);
        } else {
            detach(r, kept);
        }
    }

    /** @return the running flight recorder, or null; never waits for a change in progress */
    static FlightRecorder flight() {
        return flight;
    }

    /** For tests: the {@code Trace.start} output's sink, or null. */
    static synchronized StreamSink fileForTest() {
        return file;
    }

    /** For tests: the running recording's sink for {@code tap}, or null. */
    static synchronized StreamSink tapSinkForTest(TraceTap tap) {
        return tapSinks.get(tap);
    }

    /** For tests: the running flight recorder's ring, or null. */
    static synchronized FlightRing ringForTest() {
        return ring;
    }

    /** Writes everything recorded before the call to the ring; false if the recording ended first. */
    static boolean flushFlight(Recorder r) {
        return r.writer.flush();
    }

    /**
     * The running recording if its options agree with {@code requested}, or null if none
     * runs (then {@link #fresh} makes one); under the lock.
     */
    private static Recorder join(TraceOptions requested, String who) {
        Recorder r = recorder;
        if (r != null && requested != null && !requested.equals(r.options)) {
            throw new IllegalStateException("a recording is already on with " + r.options + "; " + who
                    + " asked for " + requested + ", which cannot apply to a running recording: pass the same"
                    + " options, or none to join it as it is, or stop it first");
        }
        return r;
    }

    /** A new recording, not started yet: its first sink is attached before any event can be recorded. */
    private static Recorder fresh(TraceOptions requested) {
        pending = new Recorder(requested == null ? TraceOptions.defaults() : requested, Recordings::writerFailed);
        return pending;
    }

    /** A recording made by {@link #fresh} and not yet started; under the lock. */
    private static Recorder pending;

    /**
     * Attaches {@code sink} to {@code r}, or, for {@code r} null, starts the fresh
     * recording with {@code sink} as its first sink (so it gets everything), then
     * makes it {@link Recorder#active}; under the lock.
     */
    private static boolean attach(Recorder r, Sink sink) {
        if (sink instanceof StreamSink s) {
            s.start();
        }
        if (r == null) {
            Recorder started = pending;
            pending = null;
            started.writer.addFirstSink(sink);
            for (TraceTaps.Registered tap : TraceTaps.current()) {
                StreamSink s = tapSink(started, tap);
                if (s != null) {
                    started.writer.addFirstSink(s);
                    tapSinks.put(tap.tap(), s);
                }
            }
            started.start();
            recorder = started;
            Recorder.active = started;
            return true;
        }
        if (!r.writer.attach(sink)) {
            sink.close(r.dropped.get(), false, null);
            return false;
        }
        return true;
    }

    /**
     * Detaches {@code sink} from {@code r}; under the lock. If the recording ended first (its
     * writer failed), the sink is closed here, cut short: whoever waits for it never hangs.
     */
    private static void detach(Recorder r, Sink sink) {
        if (!r.writer.detach(sink)) {
            sink.close(r.dropped.get(), false, null);
        }
    }

    /** Ends {@code r} (the last consumer let go); under the lock. */
    private static void end(Recorder r) {
        if (Recorder.active == r) {
            Recorder.active = null;
        }
        recorder = null;
        tapSinks.clear(); // the writer gives them their final segment as it finishes
        r.finish();
    }

    /**
     * A sink for {@code tap} on {@code r}, started; null if the tap skips this recording or
     * failed to open its stream, or its thread could not start (then its stream is closed, and
     * the recording goes on without it: a tap never fails the {@code Trace.start} it runs
     * under). Under the lock.
     */
    private static StreamSink tapSink(Recorder r, TraceTaps.Registered tap) {
        OutputStream out;
        try {
            out = tap.tap().open();
        } catch (Throwable e) { // the tap's own code, on the application's Trace.start: an Error too
            LOG.log(System.Logger.Level.WARNING, "asynctrace: a trace tap failed to open its stream; it misses this"
                    + " recording: " + e);
            return null;
        }
        if (out == null) {
            return null;
        }
        try {
            StreamSink s = new StreamSink(out, r, "asynctrace-sink-tap", f -> tapFailed(tap.tap(), f),
                    tap.maxQueuedSegments(), tap.maxQueuedBytes(), true);
            s.start();
            return s;
        } catch (Throwable e) { // no thread for it (out of memory, thread limit)
            LOG.log(System.Logger.Level.WARNING, "asynctrace: a trace tap's thread could not start; it misses this"
                    + " recording: " + e);
            try {
                out.close(); // its reader sees the end
            } catch (IOException | RuntimeException ignored) {
                // the tap's stream: nothing more to do for it
            }
            return null;
        }
    }

    /** {@link TraceTaps#add}: attach to the running recording, if any. */
    private static synchronized void tapAdded(TraceTaps.Registered tap) {
        Recorder r = recorder;
        if (r == null || tapSinks.containsKey(tap.tap())) {
            return; // the next recording's start attaches it
        }
        if (!Arrays.asList(TraceTaps.current()).contains(tap)) {
            return; // removed between its add and this call: its removal found no sink, so none is made
        }
        StreamSink s = tapSink(r, tap);
        if (s == null) {
            return;
        }
        if (r.writer.attach(s)) {
            tapSinks.put(tap.tap(), s);
        } else {
            s.close(r.dropped.get(), false, null);
        }
    }

    /** {@link TraceTaps#remove}: its sink gets its final segment. */
    private static synchronized void tapRemoved(TraceTap tap) {
        StreamSink s = tapSinks.remove(tap);
        if (s != null && recorder != null) {
            detach(recorder, s);
        }
    }

    /** A tap's stream failed (its sink's thread): only that sink is let go. */
    private static void tapFailed(TraceTap tap, StreamSink sink) {
        synchronized (Recordings.class) {
            if (tapSinks.get(tap) != sink) {
                return;
            }
            tapSinks.remove(tap);
            if (recorder != null) {
                detach(recorder, sink);
            }
        }
    }

    /** A sink's thread: its output failed. A failed Trace.start output is detached at once. */
    private static void sinkFailed(StreamSink sink) {
        LOG.log(System.Logger.Level.WARNING, "asynctrace: writing the trace failed; that output is detached"
                + " (a flight recorder goes on): " + sink.stats().failure().map(Throwable::toString).orElse(""));
        synchronized (Recordings.class) {
            if (file != sink) {
                return;
            }
            file = null;
            lastFileStats = sink.stats();
            Recorder r = recorder;
            if (flight == null) {
                end(r);
            } else {
                detach(r, sink);
            }
        }
    }

    /** The writer thread of {@code r} failed: the recording has ended for every consumer. */
    private static void writerFailed(Recorder r) {
        if (Recorder.active == r) {
            Recorder.active = null; // at once: later events are not recorded
        }
        // Not on the writer thread: the lock may be held by a stop() that joins this very thread.
        Thread t = new Thread(() -> {
            r.stopRuntime(true);
            StreamSink sink;
            synchronized (Recordings.class) {
                if (recorder != r) {
                    return;
                }
                recorder = null;
                tapSinks.clear();
                sink = file;
                file = null;
                if (flight != null) {
                    flight.detached();
                    flight = null;
                    ring = null;
                }
            }
            if (sink != null) {
                RecordingStats stats = sink.awaitClosed();
                synchronized (Recordings.class) {
                    lastFileStats = stats;
                }
            }
        }, "asynctrace-writer-failed");
        t.setDaemon(true);
        t.start();
    }
}
