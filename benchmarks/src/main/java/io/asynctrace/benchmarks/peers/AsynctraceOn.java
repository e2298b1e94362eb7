package io.asynctrace.benchmarks.peers;

import io.asynctrace.RecordingStats;
import io.asynctrace.Trace;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An asynctrace recording with the default options, written to a file on disk (at most
 * {@value #MAX_FILE_BYTES} bytes, then rewound) for the whole trial. Its figures,
 * dropped events included, are printed at the end of the trial.
 */
@State(Scope.Benchmark)
public class AsynctraceOn {
    /** The same bound as {@link JfrOn#MAX_SIZE}. */
    static final long MAX_FILE_BYTES = 256L << 20;

    private RewindingFileStream file;
    private OutputStream out;

    @Setup(Level.Trial)
    public void start() throws IOException {
        file = new RewindingFileStream("asynctrace-bench", MAX_FILE_BYTES);
        out = new BufferedOutputStream(file, 64 * 1024);
        Trace.start(out);
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        RecordingStats stats = Trace.stop();
        out.close();
        System.out.printf("%n[asynctrace] %s; %,d bytes written to disk%n", stats, file.written());
    }
}
