package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.TaskBreakdown;
import io.asynctrace.tool.TaskDetails.Event;
import io.asynctrace.tool.TaskDetails.JobRecord;
import io.asynctrace.tool.TaskDetails.LogRecord;
import io.asynctrace.tool.TaskDetails.SpanRecord;
import io.asynctrace.tool.TaskDetails.TaskRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One task instance as {@code tasks} shows it: duration, outcome, threads, event
 * log, and the latency breakdown.
 *
 * <p>The breakdown (running, queued for a thread, other; with JVM runtime events also
 * blocked, socket I/O and GC pauses) follows the rule of trace-core's
 * {@link TaskBreakdown}; the runtime events that count are listed in the task's event log.
 */
final class TaskReport {
    final TaskRecord t;
    final boolean complete;
    final long end;
    final long duration;
    final long running;
    final long queued;
    final RuntimeAttribution runtime;
    private final TaskDetails details;

    TaskReport(TaskRecord t, TaskDetails details) {
        this.t = t;
        this.details = details;
        this.complete = t.hasEnd && t.start != Long.MIN_VALUE;
        long start = t.start == Long.MIN_VALUE ? 0 : t.start;
        this.end = t.hasEnd ? t.end : Math.max(start, details.lastTime());
        this.duration = Math.max(0, end - start);
        TaskBreakdown breakdown = new TaskBreakdown(start, end);
        for (JobRecord j : t.jobs) {
            breakdown.job(j.queued, j.started, j.finished, j.startThread);
        }
        for (SpanRecord s : t.spans) {
            if (s.end >= 0) {
                breakdown.span(s.start, s.end, s.thread, s.endThread);
            }
        }
        if (t.start != Long.MIN_VALUE && t.hasEnd && t.beginThread == t.endThread) {
            breakdown.ranWholeOn(t.beginThread);
        }
        this.running = breakdown.running();
        this.queued = breakdown.queued();
        this.runtime = new RuntimeAttribution(t, breakdown, details);
        if (!runtime.events.isEmpty()) {
            for (RuntimeAttribution.Attributed a : runtime.events) {
                RuntimeInfo e = a.event();
                t.event(e.time(), e.thread(), RuntimeText.describe(e.kind(), e.duration(), e.value(), e.detail()),
                        e.stack());
            }
            t.events.sort(java.util.Comparator.comparingLong(Event::time));
        }
    }

    long other() {
        return Math.max(0, duration - running - queued);
    }

    /** @return the names of the threads involved, in the order they first appear in the task's event log */
    List<String> threadNames() {
        java.util.LinkedHashSet<Long> ids = new java.util.LinkedHashSet<>();
        for (Event e : t.events) {
            if (!runtime.jvmThreads.contains(e.thread())) {
                ids.add(e.thread());
            }
        }
        List<String> names = new ArrayList<>();
        for (long id : ids) {
            names.add(details.threadName(id));
        }
        return names;
    }

    /** Writes this task as one element of the {@code tasks --json} array. */
    void json(JsonWriter j) {
        j.beginObject();
        j.field("id", t.id).field("type", t.type);
        if (t.parent == 0) {
            j.name("parent").nullValue();
        } else {
            j.field("parent", t.parent);
        }
        j.field("start_ns", t.start == Long.MIN_VALUE ? 0 : t.start);
        j.field("duration_ns", duration).field("complete", complete).field("outcome", t.outcome);
        j.name("attrs");
        Attributes.json(j, t.attrs);
        j.name("threads").beginArray();
        for (String name : threadNames()) {
            j.value(name);
        }
        j.endArray();
        j.name("spans").beginArray();
        for (SpanRecord s : t.spans) {
            j.beginObject().field("name", s.name).field("thread", details.threadName(s.thread));
            j.field("start_ns", s.start).name("duration_ns").valueOrNull(s.end < 0 ? -1 : s.end - s.start);
            j.name("end_thread").value(s.end < 0 ? null : details.threadName(s.endThread));
            j.name("attrs");
            Attributes.json(j, s.attrs);
            StackText.json(j, s.stack);
            j.endObject();
        }
        j.endArray();
        j.name("logs").beginArray();
        for (LogRecord l : t.logs) {
            j.beginObject().field("time_ns", l.time()).field("category", l.category()).field("message", l.message());
            j.field("thread", details.threadName(l.thread()));
            StackText.json(j, l.stack());
            j.endObject();
        }
        j.endArray();
        j.name("jobs").beginArray();
        for (JobRecord jr : t.jobs) {
            j.beginObject().name("queued_ns").valueOrNull(jr.queued).name("started_ns").valueOrNull(jr.started);
            j.name("finished_ns").valueOrNull(jr.finished);
            j.name("thread").value(jr.started < 0 && jr.finished < 0 ? null : details.threadName(jr.startThread));
            StackText.json(j, jr.stack);
            j.endObject();
        }
        j.endArray();
        j.field("running_ns", running).field("queued_ns", queued).field("other_ns", other());
        j.field("blocked_ns", runtime.blocked).field("socket_ns", runtime.socket).field("gc_ns", runtime.gc);
        j.name("runtime").beginArray();
        for (RuntimeAttribution.Attributed a : runtime.events) {
            RuntimeInfo e = a.event();
            j.beginObject().field("time_ns", e.time()).field("duration_ns", e.duration())
                    .field("thread", details.threadName(e.thread())).field("kind", RuntimeText.name(e.kind()))
                    .field("value", e.value()).field("detail", e.detail()).field("overlap_ns", a.overlap());
            StackText.json(j, e.stack());
            j.endObject();
        }
        j.endArray();
        j.name("events").beginArray();
        long previous = t.start == Long.MIN_VALUE ? Long.MIN_VALUE : t.start;
        for (Event e : t.events) {
            j.beginObject().field("time_ns", e.time());
            j.field("elapsed_ns", previous == Long.MIN_VALUE ? 0 : e.time() - previous);
            j.field("thread", details.threadName(e.thread())).field("event", e.what());
            StackText.json(j, e.stack());
            j.endObject();
            previous = e.time();
        }
        j.endArray();
        j.endObject();
    }

    /** Writes this task as text, with its event log as {@code go tool trace} lists it. */
    void text(PrintWriter out) {
        text(out, false);
    }

    /**
     * Writes this task as text.
     *
     * @param out where
     * @param stacks whether to print the stack under each event that has one
     */
    void text(PrintWriter out, boolean stacks) {
        out.printf(Locale.ROOT, "task #%d %s  %s%s  outcome %s%s%n", t.id, t.type, Durations.human(duration),
                complete ? "" : " (never ended)", t.outcome == null ? "-" : t.outcome,
                t.parent == 0 ? "" : "  parent #" + t.parent);
        out.printf(Locale.ROOT, "  threads: %s%n", String.join(", ", threadNames()));
        if (t.attrs != null) {
            out.printf(Locale.ROOT, "  attrs: %s%n", Attributes.text(t.attrs));
        }
        out.printf(Locale.ROOT, "  running %s   queued for a thread %s   other (I/O, timers, dependencies) %s%n",
                Durations.human(running), Durations.human(queued), Durations.human(other()));
        if (details.sawRuntime) {
            out.printf(Locale.ROOT, "  blocked %s   socket I/O %s   GC pauses %s%n", Durations.human(runtime.blocked),
                    Durations.human(runtime.socket), Durations.human(runtime.gc));
        }
        List<String[]> rows = new ArrayList<>();
        List<CallStack> rowStacks = new ArrayList<>();
        rows.add(new String[] {"  WHEN (ms)", "ELAPSED", "THREAD", "EVENT"});
        rowStacks.add(null);
        long previous = t.start == Long.MIN_VALUE ? Long.MIN_VALUE : t.start;
        for (Event e : t.events) {
            rows.add(new String[] {"  " + Durations.millis(e.time()),
                "+" + Durations.human(previous == Long.MIN_VALUE ? 0 : e.time() - previous),
                details.threadName(e.thread()), e.what()});
            rowStacks.add(stacks ? e.stack() : null);
            previous = e.time();
        }
        printLog(out, rows, rowStacks);
    }

    private static void printLog(PrintWriter out, List<String[]> rows, List<CallStack> stacks) {
        int[] w = new int[3];
        for (String[] r : rows) {
            for (int c = 0; c < 3; c++) {
                w[c] = Math.max(w[c], r[c].length());
            }
        }
        String indent = " ".repeat(w[0] + w[1] + w[2] + 6 + 4);
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            out.println(" ".repeat(w[0] - r[0].length()) + r[0] + "  " + " ".repeat(w[1] - r[1].length()) + r[1]
                    + "  " + r[2] + " ".repeat(w[2] - r[2].length()) + "  " + r[3]);
            StackText.text(out, indent, stacks.get(i));
        }
    }
}
