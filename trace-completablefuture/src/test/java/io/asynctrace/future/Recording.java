package io.asynctrace.future;

import io.asynctrace.RecordingStats;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A recording into memory, for tests: start, then stop and read back. */
final class Recording {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Recording(TraceOptions options) {
        Trace.start(out, options);
    }

    /** Starts a strict recording: misuse (such as a span left misnested) throws. */
    static Recording start() {
        return new Recording(TraceOptions.defaults().withStrict(true));
    }

    /** Stops tracing and reads the trace back. */
    TraceModel stop() {
        RecordingStats stats = Trace.stop();
        if (stats.failure().isPresent()) {
            throw new AssertionError("recording failed", stats.failure().get());
        }
        try {
            return TraceModel.read(new ByteArrayInputStream(out.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
