package io.asynctrace.reader;

import java.util.LinkedHashMap;
import java.util.Map;

/** A span as reconstructed from a trace by {@link TraceModel}. */
public final class SpanInfo {
    final long id;
    CallStack stack;
    long parentId;
    long taskId;
    String name;
    long start;
    boolean hasStart;
    long startThread = -1;
    long end;
    boolean hasEnd;
    long endThread = -1;
    final Map<String, String> attributes = new LinkedHashMap<>();

    SpanInfo(long id) {
        this.id = id;
    }

    /** @return the span id */
    public long id() {
        return id;
    }

    /** @return the enclosing span (begun earlier on the same thread and still open), or 0 */
    public long parentId() {
        return parentId;
    }

    /** @return the task the span belongs to, or 0 */
    public long taskId() {
        return taskId;
    }

    /** @return the span name, or null if its begin is not in the trace */
    public String name() {
        return name;
    }

    /** @return whether the begin is in the trace */
    public boolean hasStart() {
        return hasStart;
    }

    /** @return begin time */
    public long start() {
        return start;
    }

    /** @return the thread it began on, or -1 */
    public long startThread() {
        return startThread;
    }

    /** @return whether the end is in the trace */
    public boolean hasEnd() {
        return hasEnd;
    }

    /** @return end time */
    public long end() {
        return end;
    }

    /** @return the thread it ended on, or -1 */
    public long endThread() {
        return endThread;
    }

    /** @return end minus start, or -1 if either is missing */
    public long duration() {
        return hasStart && hasEnd ? end - start : -1;
    }

    /** @return the span's attributes */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** @return where the span began (recordings with a stack depth), or null */
    public CallStack stack() {
        return stack;
    }

    @Override
    public String toString() {
        return "SpanInfo[" + name + " #" + id + " task #" + taskId + (parentId != 0 ? " parent #" + parentId : "") + "]";
    }
}
