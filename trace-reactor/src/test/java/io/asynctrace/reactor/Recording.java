package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Task;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/** A recording into memory, read back with the project's own reader. */
final class Recording {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private TraceModel model;

    private Recording() {
    }

    static Recording start() {
        Recording r = new Recording();
        Trace.start(r.out);
        return r;
    }

    /** Stops tracing and reads the trace; checks it is whole, with nothing dropped and no misuse. */
    TraceModel stop() {
        Trace.stop();
        try {
            model = TraceModel.read(new ByteArrayInputStream(out.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(model.complete()).as("trace complete").isTrue();
        assertThat(model.dropped()).as("dropped events").isZero();
        assertThat(model.misuses()).as("misuse").isEmpty();
        return model;
    }

    static List<TaskInfo> tasks(TraceModel m, String type) {
        return m.tasks().stream().filter(t -> type.equals(t.type())).collect(Collectors.toList());
    }

    static TaskInfo task(TraceModel m, String type) {
        List<TaskInfo> ts = tasks(m, type);
        assertThat(ts).as("tasks of type " + type).hasSize(1);
        return ts.get(0);
    }

    static TaskInfo task(TraceModel m, Task t) {
        return m.tasks().stream().filter(x -> x.id() == t.id()).findFirst()
                .orElseThrow(() -> new AssertionError("no task " + t + " in trace"));
    }

    static List<SpanInfo> spans(TraceModel m, String name) {
        return m.spans().stream().filter(s -> name.equals(s.name())).collect(Collectors.toList());
    }

    static SpanInfo span(TraceModel m, String name) {
        List<SpanInfo> ss = spans(m, name);
        assertThat(ss).as("spans named " + name).hasSize(1);
        return ss.get(0);
    }
}
