package io.asynctrace.jmh;

import io.asynctrace.FlightRecorder;
import io.asynctrace.RecordingStats;
import io.asynctrace.RuntimeEvents;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * One benchmark's recording in one JVM, from its first iteration to its file. Three
 * ways, chosen at {@link #start}:
 * <ul>
 *   <li><b>streamed</b>: {@code Trace.start} into the file as it happens;</li>
 *   <li><b>held, then streamed</b> (warm-up not recorded): a flight recorder that keeps
 *       almost nothing runs through the warm-up, so that the recorder and JDK Flight
 *       Recorder start, and their start-up costs fall, in the warm-up rather than in the
 *       first measurement iterations; at the first measurement iteration
 *       {@link #measuring()} writes out what is buffered (into that near-empty ring) and
 *       attaches the file with {@code Trace.start}, which then gets every later
 *       segment;</li>
 *   <li><b>flight</b> ({@code flight=SECONDS}): a flight recorder written at the end.</li>
 * </ul>
 * The trace is written to a temporary file beside the target and moved into place
 * when finished, so a file of that name is either the previous run's or this one's,
 * complete. Called on JMH's main thread (and a shutdown hook, serialised by the caller).
 */
final class Recording {
    /** The least a flight recorder may keep: the holder keeps no more than that. */
    private static final long HOLD_BYTES = 64 * 1024;

    private final Path file;
    private final Path part;
    private final TraceOptions trace;
    private final FlightRecorder flight; // flight mode, or the holder; null when streamed from the start
    private final boolean holding;
    private OutputStream out; // streamed

    private Recording(Path file, Path part, TraceOptions trace, FlightRecorder flight, boolean holding) {
        this.file = file;
        this.part = part;
        this.trace = trace;
        this.flight = flight;
        this.holding = holding;
    }

    /**
     * Starts recording for {@code file}.
     *
     * @param hold whether this is a warm-up iteration that is not to be in the file
     * @throws IOException if the directory or the temporary file cannot be created
     * @throws IllegalStateException if this JVM already records ({@code Trace.start}, or any
     *         flight recorder when this one needs its own)
     */
    static Recording start(Path file, ProfilerOptions options, boolean hold) throws IOException {
        TraceOptions trace = TraceOptions.defaults();
        if (options.runtime) {
            trace = trace.withRuntimeEvents(RuntimeEvents.defaults());
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Not createTempFile: its owner-only permissions would stay on the trace.
        Path part = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".part");
        if (options.flight != null || hold) {
            if (FlightRecorder.running() != null) {
                throw new IllegalStateException("a flight recorder is already running in this JVM");
            }
            if (hold && Trace.isEnabled()) {
                throw new IllegalStateException("tracing is already on in this JVM");
            }
            FlightRecorder flight = options.flight != null
                    ? new FlightRecorder(options.flight, ProfilerOptions.FLIGHT_MAX_BYTES)
                    : new FlightRecorder(Duration.ofMillis(1), HOLD_BYTES);
            flight.withOptions(trace).start();
            return new Recording(file, part, trace, flight, options.flight == null);
        }
        Recording r = new Recording(file, part, trace, null, false);
        r.stream();
        return r;
    }

    /** @return the file this recording becomes */
    Path file() {
        return file;
    }

    /** A measurement iteration begins: a held recording now goes to the file. */
    void measuring() throws IOException {
        if (holding && out == null) {
            Trace.flush(); // the warm-up's buffered events go to the holder, not to the file
            stream();
        }
    }

    private void stream() throws IOException {
        OutputStream o = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16); // replaces a stale one
        try {
            Trace.start(o, trace);
        } catch (RuntimeException e) {
            o.close();
            Files.deleteIfExists(part);
            throw e;
        }
        out = o;
    }

    /**
     * Stops recording and moves the trace into place.
     *
     * @return one line for JMH's output: the file and its size, or why there is none
     */
    String finish() {
        try {
            long dropped = 0;
            if (out != null) {
                if (flight != null) {
                    // The holder first: then Trace.stop ends the recording itself, and so waits
                    // for JDK Flight Recorder's last runtime events (about a second behind).
                    flight.stop();
                }
                RecordingStats stats = Trace.stop();
                out.close();
                if (stats.failure().isPresent()) {
                    throw stats.failure().get();
                }
                dropped = stats.droppedEvents();
            } else if (holding) {
                flight.stop();
                return "asynctrace: " + file.toAbsolutePath() + " not written: no measurement iteration ran";
            } else {
                try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
                    flight.writeTo(o);
                } finally {
                    flight.stop();
                }
            }
            try {
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return "asynctrace: " + file.toAbsolutePath() + " (" + Files.size(file) + " bytes"
                    + (dropped == 0 ? "" : ", " + dropped + " events dropped") + ")";
        } catch (IOException | RuntimeException e) {
            return "asynctrace: could not write " + file.toAbsolutePath() + ": " + e;
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // only a leftover temporary file
            }
        }
    }
}
