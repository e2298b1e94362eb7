package io.asynctrace;

import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the lifecycle and flight-recorder tests share: fast options, the flight recorders a
 * test started (stopped after it, with any {@code Trace.start} output), what a trace holds of
 * each task.
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
        return taskUse(trace).begins();
    }

    /**
     * What a trace holds of each task: its begins, and which tasks have other events of theirs.
     *
     * @param begins begins per task
     * @param events tasks with an end, or a log in them
     * @param attributes tasks with a task attribute
     * @param traceIds tasks with a {@code trace.id} attribute
     */
    record TaskUse(Map<Long, Integer> begins, Set<Long> events, Set<Long> attributes, Set<Long> traceIds) {
    }

    /** Reads {@code trace} for {@link TaskUse}. */
    static TaskUse taskUse(byte[] trace) throws IOException {
        TaskUse use = new TaskUse(new HashMap<>(), new HashSet<>(), new HashSet<>(), new HashSet<>());
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(trace))) {
            reader.read(new TraceHandler() {
                @Override
                public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
                    use.begins().merge(task, 1, Integer::sum);
                }

                @Override
                public void onTaskEnd(long time, long thread, long task, String outcome) {
                    use.events().add(task);
                }

                @Override
                public void onLog(long time, long thread, long task, String category, String message) {
                    if (task != 0) {
                        use.events().add(task);
                    }
                }

                @Override
                public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
                    if (!onSpan) {
                        use.attributes().add(target);
                        if (key.equals("trace.id")) {
                            use.traceIds().add(target);
                        }
                    }
                }
            });
        }
        return use;
    }
}
