package io.asynctrace.testing;

import io.asynctrace.Task;
import io.asynctrace.reader.JobInfo;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reading traces in tests, and the queries tests ask of a {@link TraceModel}. Every
 * query that expects something fails with an {@link AssertionError} naming what was
 * missing, rather than returning null.
 */
public final class TraceModels {
    private TraceModels() {
    }

    /** Reads a whole trace held in memory. */
    public static TraceModel read(byte[] trace) {
        return read(new ByteArrayInputStream(trace));
    }

    /** Reads what {@code out} holds. */
    public static TraceModel read(ByteArrayOutputStream out) {
        return read(out.toByteArray());
    }

    /** Reads a trace from a stream, to its end. */
    public static TraceModel read(InputStream in) {
        try {
            return TraceModel.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a trace file. */
    public static TraceModel read(Path file) {
        try {
            return TraceModel.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    /** Fails unless {@code m} is whole: complete, not truncated, nothing dropped, no misuse. Returns {@code m}. */
    public static TraceModel assertWhole(TraceModel m) {
        StringBuilder wrong = new StringBuilder();
        if (!m.complete()) {
            wrong.append(" not complete;");
        }
        if (m.truncated()) {
            wrong.append(" truncated at byte ").append(m.truncatedAt()).append(';');
        }
        if (m.dropped() != 0) {
            wrong.append(' ').append(m.dropped()).append(" events dropped;");
        }
        if (!m.misuses().isEmpty()) {
            wrong.append(" misuse ").append(m.misuses()).append(';');
        }
        if (wrong.length() > 0) {
            throw new AssertionError("the trace is not whole:" + wrong);
        }
        return m;
    }

    /** The tasks of {@code type}, in the trace's order. */
    public static List<TaskInfo> tasks(TraceModel m, String type) {
        return m.tasks().stream().filter(t -> type.equals(t.type())).collect(Collectors.toList());
    }

    /** The one task of {@code type}; fails if there are none or several. */
    public static TaskInfo onlyTask(TraceModel m, String type) {
        List<TaskInfo> found = tasks(m, type);
        if (found.size() != 1) {
            throw new AssertionError("expected one task of type " + type + ", found " + found.size() + ": " + found);
        }
        return found.get(0);
    }

    /** The task with {@code id}; fails if the trace has no such task. */
    public static TaskInfo task(TraceModel m, long id) {
        TaskInfo t = m.task(id);
        if (t == null) {
            throw new AssertionError("no task #" + id + " in the trace, which has " + m.tasks());
        }
        return t;
    }

    /** The trace's record of {@code task}; fails if it is not in the trace. */
    public static TaskInfo task(TraceModel m, Task task) {
        return task(m, task.id());
    }

    /** The spans named {@code name}. */
    public static List<SpanInfo> spans(TraceModel m, String name) {
        return m.spans().stream().filter(s -> name.equals(s.name())).collect(Collectors.toList());
    }

    /** The one span named {@code name}; fails if there are none or several. */
    public static SpanInfo onlySpan(TraceModel m, String name) {
        List<SpanInfo> found = spans(m, name);
        if (found.size() != 1) {
            throw new AssertionError("expected one span named " + name + ", found " + found.size() + ": " + found);
        }
        return found.get(0);
    }

    /** The spans of the task with {@code taskId}. */
    public static List<SpanInfo> spansOf(TraceModel m, long taskId) {
        return m.spans().stream().filter(s -> s.taskId() == taskId).collect(Collectors.toList());
    }

    /** The logs of the task with {@code taskId}, in the trace's order. */
    public static List<LogInfo> logsOf(TraceModel m, long taskId) {
        return m.logs().stream().filter(l -> l.taskId() == taskId).collect(Collectors.toList());
    }

    /** The jobs queued for the task with {@code taskId}. */
    public static List<JobInfo> jobsOf(TraceModel m, long taskId) {
        return m.jobs().stream().filter(j -> j.taskId() == taskId).collect(Collectors.toList());
    }

    /** The name the trace gives {@code thread}; fails if the trace does not name it. */
    public static String threadName(TraceModel m, long thread) {
        String name = m.threads().get(thread);
        if (name == null) {
            throw new AssertionError("thread #" + thread + " is not named in the trace: " + m.threads());
        }
        return name;
    }
}
