package io.asynctrace.testing;

import io.asynctrace.RecordingStats;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayOutputStream;
import java.util.function.Predicate;

/**
 * A recording into memory for tests: {@link #start()}, run the code under test,
 * {@link #stop()} to get the {@link TraceModel} back, checked whole.
 *
 * <pre>{@code
 * Recording rec = Recording.start();
 * ... code under test ...
 * TraceModel m = rec.stop(); // complete, not truncated, nothing dropped, no misuse
 * }</pre>
 *
 * <p>Tracing is JVM-global: one {@code Recording} at a time, stopped by the test (or by
 * {@link NoLeftovers}, which then fails the test). {@link #close()} stops it too, for
 * try-with-resources.
 */
public final class Recording implements AutoCloseable {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private RecordingStats stats;

    private Recording(TraceOptions options) {
        Trace.start(out, options);
    }

    /** Starts recording with the default options. */
    public static Recording start() {
        return new Recording(TraceOptions.defaults());
    }

    /** Starts a strict recording: misuse (a span ended twice, a scope misnested) throws at the call. */
    public static Recording strict() {
        return new Recording(TraceOptions.defaults().withStrict(true));
    }

    /** Starts recording with {@code options}. */
    public static Recording start(TraceOptions options) {
        return new Recording(options);
    }

    /**
     * Stops tracing and reads the trace back, failing unless it is whole: complete,
     * not truncated, no event dropped, no misuse, no output failure.
     */
    public TraceModel stop() {
        return TraceModels.assertWhole(stopAndRead());
    }

    /**
     * Stops tracing and reads the trace back as it is (for tests of drops or misuse);
     * fails only if the output failed.
     */
    public TraceModel stopAndRead() {
        if (stats == null) {
            stats = Trace.stop();
        }
        if (stats.failure().isPresent()) {
            throw new AssertionError("the recording's output failed", stats.failure().get());
        }
        return TraceModels.read(out);
    }

    /** What {@code Trace.stop()} returned; null until stopped. */
    public RecordingStats stats() {
        return stats;
    }

    /** The bytes written so far (a prefix of the trace while recording). */
    public byte[] bytes() {
        return out.toByteArray();
    }

    /** Reads what has been written so far, without stopping: a partial trace while recording. */
    public TraceModel readSoFar() {
        return TraceModels.read(out.toByteArray());
    }

    /**
     * Waits until what has been recorded so far satisfies {@code condition}, flushing the
     * recording before each look: for events recorded asynchronously to what the test
     * sees, such as a server's task that ends just after its response reached the client.
     *
     * @return the partial trace that satisfied it
     */
    public TraceModel awaitRecorded(String what, Predicate<TraceModel> condition) {
        TraceModel[] seen = new TraceModel[1];
        Await.until(what, () -> {
            Trace.flush();
            seen[0] = readSoFar();
            return condition.test(seen[0]);
        });
        return seen[0];
    }

    /** Stops tracing if this recording has not been stopped yet. */
    @Override
    public void close() {
        if (stats == null) {
            stats = Trace.stop();
        }
    }
}
