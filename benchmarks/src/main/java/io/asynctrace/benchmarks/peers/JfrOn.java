package io.asynctrace.benchmarks.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A JFR recording of the two {@link JfrEvents} types only (no stack traces, no
 * threshold), written to disk, for the whole trial. The repository keeps at most
 * {@value #MAX_SIZE} bytes; the file is deleted at the end of the trial.
 */
@State(Scope.Benchmark)
public class JfrOn {
    static final long MAX_SIZE = 256L << 20;

    private Recording recording;
    private Path file;

    @Setup(Level.Trial)
    public void start() throws IOException {
        file = Files.createTempFile("jfr-bench", ".jfr");
        recording = new Recording();
        recording.setName("asynctrace-benchmarks");
        recording.enable(JfrEvents.LogEvent.class).withoutStackTrace();
        recording.enable(JfrEvents.SpanEvent.class).withoutStackTrace().withThreshold(Duration.ZERO);
        recording.setToDisk(true);
        recording.setMaxSize(MAX_SIZE);
        recording.setDestination(file);
        recording.start();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        recording.stop();
        System.out.printf("%n[jfr] %,d bytes in the recording's file (the last chunks, at most %,d)%n",
                Files.size(file), MAX_SIZE);
        recording.close();
        Files.deleteIfExists(file);
    }
}
