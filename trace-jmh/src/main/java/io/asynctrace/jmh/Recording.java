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

/**
 * One benchmark's recording in one JVM, from its first recorded iteration to its file.
 * Written to a temporary file beside the target and moved into place when finished,
 * so a file of that name is either the previous run's or this one's, complete.
 * Either streamed as it happens ({@link Trace#start}) or kept by a
 * {@link FlightRecorder} and written at the end ({@code flight=SECONDS}).
 */
final class Recording {
    private final Path file;
    private final Path part;
    private final OutputStream out; // streamed mode
    private final FlightRecorder flight; // flight mode

    private Recording(Path file, Path part, OutputStream out, FlightRecorder flight) {
        this.file = file;
        this.part = part;
        this.out = out;
        this.flight = flight;
    }

    /**
     * Starts recording for {@code file}.
     *
     * @throws IOException if the directory or the temporary file cannot be created
     * @throws IllegalStateException if this JVM already records ({@code Trace.start} or a flight recorder)
     */
    static Recording start(Path file, ProfilerOptions options) throws IOException {
        TraceOptions trace = TraceOptions.defaults();
        if (options.runtime) {
            trace = trace.withRuntimeEvents(RuntimeEvents.defaults());
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Not createTempFile: its owner-only permissions would stay on the trace.
        Path part = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".part");
        if (options.flight != null) {
            if (FlightRecorder.running() != null) {
                throw new IllegalStateException("a flight recorder is already running in this JVM");
            }
            FlightRecorder flight = new FlightRecorder(options.flight, ProfilerOptions.FLIGHT_MAX_BYTES).withOptions(trace);
            flight.start(); // written to part at the end
            return new Recording(file, part, null, flight);
        }
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16); // replaces a stale one
        try {
            Trace.start(out, trace);
        } catch (RuntimeException e) {
            out.close();
            Files.deleteIfExists(part);
            throw e;
        }
        return new Recording(file, part, out, null);
    }

    /** @return the file this recording becomes */
    Path file() {
        return file;
    }

    /**
     * Stops recording and moves the trace into place.
     *
     * @return one line for JMH's output: the file and its size, or why there is none
     */
    String finish() {
        try {
            long dropped = 0;
            if (flight != null) {
                try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
                    flight.writeTo(o);
                } finally {
                    flight.stop();
                }
            } else {
                RecordingStats stats = Trace.stop();
                out.close();
                if (stats.failure().isPresent()) {
                    throw stats.failure().get();
                }
                dropped = stats.droppedEvents();
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
