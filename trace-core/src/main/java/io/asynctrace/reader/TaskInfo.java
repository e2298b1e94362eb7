package io.asynctrace.reader;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task as reconstructed from a trace by {@link TraceModel}. Times are nanoseconds
 * since the trace base; a task whose creation was not recorded has no start, and a
 * task not ended before the trace stopped has no end.
 */
public final class TaskInfo {
    final long id;
    CallStack stack;
    long parentId;
    String type;
    long start;
    boolean hasStart;
    boolean startedBeforeTrace;
    long beginThread = -1;
    long end;
    boolean hasEnd;
    long endThread = -1;
    String outcome;
    final Map<String, String> attributes = new LinkedHashMap<>();

    TaskInfo(long id) {
        this.id = id;
    }

    /** @return the task id */
    public long id() {
        return id;
    }

    /** @return the parent task id, or 0 */
    public long parentId() {
        return parentId;
    }

    /** @return the task type, or null if the task's creation is not in the trace */
    public String type() {
        return type;
    }

    /** @return whether the creation time is known */
    public boolean hasStart() {
        return hasStart;
    }

    /** @return creation time (negative if before the trace started); meaningful if {@link #hasStart()} */
    public long start() {
        return start;
    }

    /** @return whether the task was created before the recording first saw it */
    public boolean startedBeforeTrace() {
        return startedBeforeTrace;
    }

    /** @return the thread that created (or first mentioned) the task, or -1 */
    public long beginThread() {
        return beginThread;
    }

    /** @return whether the end is in the trace */
    public boolean hasEnd() {
        return hasEnd;
    }

    /** @return end time; meaningful if {@link #hasEnd()} */
    public long end() {
        return end;
    }

    /** @return the thread that ended the task, or -1 */
    public long endThread() {
        return endThread;
    }

    /** @return the outcome, or null if not ended */
    public String outcome() {
        return outcome;
    }

    /** @return whether both start and end are known */
    public boolean complete() {
        return hasStart && hasEnd;
    }

    /** @return end minus start, or -1 unless {@link #complete()} */
    public long duration() {
        return complete() ? end - start : -1;
    }

    /** @return attributes in the order they were set (a later value for a key replaces the earlier one) */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** @return where the task was created (recordings with a stack depth), or null */
    public CallStack stack() {
        return stack;
    }

    @Override
    public String toString() {
        return "TaskInfo[" + type + " #" + id + (parentId != 0 ? " parent #" + parentId : "")
                + (complete() ? " " + duration() + "ns " + outcome : hasEnd ? " ended " + outcome : " open") + "]";
    }
}
