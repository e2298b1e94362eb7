package io.asynctrace;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a {@link FlightRecorder} writes the snapshots its triggers take.
 *
 * <pre>{@code
 * flight.snapshotWhen("order", Duration.ofMillis(500), SnapshotSink.directory(Path.of("slow-traces")));
 * }</pre>
 */
@FunctionalInterface
public interface SnapshotSink {
    /**
     * Opens the stream one snapshot is written to; the flight recorder closes it.
     *
     * @param name a file name made of the time, the task type and the task id,
     *             such as {@code asynctrace-20261127T051500.123Z-order-task1025.trace}
     * @return the stream to write the snapshot to
     * @throws IOException if it cannot be opened (the snapshot is then counted as failed)
     */
    OutputStream open(String name) throws IOException;

    /**
     * A sink writing each snapshot to its own file in {@code dir}, created if missing.
     *
     * @param dir the directory
     * @return the sink
     */
    static SnapshotSink directory(Path dir) {
        Objects.requireNonNull(dir, "dir");
        return name -> {
            Files.createDirectories(dir);
            return new BufferedOutputStream(Files.newOutputStream(dir.resolve(name)));
        };
    }
}
