package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.tool.TaskDetails.JobRecord;
import io.asynctrace.tool.TaskDetails.SpanRecord;
import io.asynctrace.tool.TaskDetails.TaskRecord;
import io.asynctrace.tool.TaskReport.Intervals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Attributes JVM runtime events to one task, for the {@code tasks} breakdown.
 *
 * <p>The rule: a thread-bound event (park, monitor enter, sleep, pinning, socket read
 * or write) counts for the task by the time it overlaps the intervals in which the
 * task ran on that thread — its jobs' started → finished on the running thread, its
 * spans begun and ended on that thread, and the task's own begin → end when it began
 * and ended on one thread — clipped to the task's begin → end. A GC pause counts for
 * every task whose begin → end it overlaps, by the overlap. In a merged trace, whose
 * JVM threads are named {@code LABEL:JVM}, a GC pause counts only for tasks begun on a
 * thread of the same label. Sums are per event: events on two threads at once both count.
 */
final class RuntimeAttribution {
    /** One event attributed to the task and the time of it that counts. */
    record Attributed(RuntimeInfo event, long overlap) {
    }

    long blocked;
    long socket;
    long gc;
    final List<Attributed> events = new ArrayList<>();
    /** The threads of the GC pauses attributed (JVM threads, not the task's own). */
    final Set<Long> jvmThreads = new HashSet<>();

    /**
     * @param t the task
     * @param start its begin (or the trace's start when unknown)
     * @param end its end (or the trace's last event when it never ended)
     * @param details the pass that collected it, with the runtime events it kept
     */
    RuntimeAttribution(TaskRecord t, long start, long end, TaskDetails details) {
        if (details.runtime.isEmpty()) {
            return;
        }
        Map<Long, Intervals> ran = new HashMap<>();
        for (JobRecord j : t.jobs) {
            if (j.started >= 0) {
                ran.computeIfAbsent(j.startThread, k -> new Intervals()).add(j.started, j.finished >= 0 ? j.finished : end);
            }
        }
        for (SpanRecord s : t.spans) {
            if (s.end >= 0 && s.endThread == s.thread) {
                ran.computeIfAbsent(s.thread, k -> new Intervals()).add(s.start, s.end);
            }
        }
        if (t.start != Long.MIN_VALUE && t.hasEnd && t.beginThread == t.endThread) {
            ran.computeIfAbsent(t.beginThread, k -> new Intervals()).add(t.start, t.end);
        }
        for (RuntimeInfo e : details.runtime) {
            long from = Math.max(start, e.time());
            long to = Math.min(end, e.end());
            if (to < from || (to == from && e.duration() > 0)) {
                continue;
            }
            if (e.kind() == RuntimeKind.GC_PAUSE) {
                if (sameProcess(t, e.thread(), details)) {
                    gc += to - from;
                    events.add(new Attributed(e, to - from));
                    jvmThreads.add(e.thread());
                }
                continue;
            }
            Intervals on = ran.get(e.thread());
            if (on == null) {
                continue;
            }
            long overlap = on.measure(from, to);
            if (overlap == 0 && (e.duration() > 0 || on.measure(from, from + 1) == 0)) {
                continue;
            }
            if (RuntimeText.socket(e.kind())) {
                socket += overlap;
            } else {
                blocked += overlap;
            }
            events.add(new Attributed(e, overlap));
        }
    }

    private static boolean sameProcess(TaskRecord t, long jvmThread, TaskDetails details) {
        String jvm = details.threadName(jvmThread);
        if (!jvm.endsWith(":JVM") || t.start == Long.MIN_VALUE) {
            return true;
        }
        String label = jvm.substring(0, jvm.length() - "JVM".length());
        return details.threadName(t.beginThread).startsWith(label);
    }
}
