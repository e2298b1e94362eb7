package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TaskBreakdown;
import io.asynctrace.tool.TaskDetails.TaskRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JVM runtime events that count for one task, for the {@code tasks} breakdown, by the
 * rule of trace-core's {@link TaskBreakdown}: thread-bound events by their overlap with the
 * intervals in which the task ran on that thread, GC pauses by their overlap with the task
 * (in a merged trace only those of the task's own JVM).
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
     * @param breakdown its breakdown, fed with its jobs, spans and threads
     * @param details the pass that collected it, with the runtime events it kept
     */
    RuntimeAttribution(TaskRecord t, TaskBreakdown breakdown, TaskDetails details) {
        if (details.runtime.isEmpty()) {
            return;
        }
        String beganOn = t.start == Long.MIN_VALUE ? null : details.threadName(t.beginThread);
        for (RuntimeInfo e : details.runtime) {
            boolean same = e.kind() != RuntimeKind.GC_PAUSE
                    || TaskBreakdown.sameProcess(details.threadName(e.thread()), beganOn);
            long overlap = breakdown.runtime(e, same);
            if (overlap >= 0) {
                events.add(new Attributed(e, overlap));
                if (e.kind() == RuntimeKind.GC_PAUSE) {
                    jvmThreads.add(e.thread());
                }
            }
        }
        blocked = breakdown.blocked();
        socket = breakdown.socket();
        gc = breakdown.gc();
    }
}
