package io.asynctrace;

import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the lifecycle and flight-recorder tests share: fast options, the flight recorders a
 * test started (stopped after it, with any {@code Trace.start} output), begins per task.
 */
final class FlightFixtures {
    /** A flush interval short enough that tests do not wait for segments. */
    static final TraceOptions FAST = TraceOptions.defaults().withFlushIntervalMillis(10);

    private final List<FlightRecorder> started = new ArrayList<>();

    /** Starts {@code f}, to be stopped by {@link #stopAll}. */
    FlightRecorder start(FlightRecorder f) {
        f.start();
        started.add(f);
        return f;
    }

    /** From a test's {@code @AfterEach}: stops every flight recorder it started, then any {@code Trace.start} output. */
    void stopAll() {
        started.forEach(FlightRecorder::stop);
        started.clear();
        Trace.stop();
    }

    /** How many begins each task has in {@code trace}. */
    static Map<Long, Integer> beginsPerTask(byte[] trace) throws IOException {
        Map<Long, Integer> begins = new HashMap<>();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(trace))) {
            reader.read(new TraceHandler() {
                @Override
                public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
                    begins.merge(task, 1, Integer::sum);
                }
            });
        }
        return begins;
    }
}
