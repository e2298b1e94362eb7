package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;

/**
 * A handler that takes the events in their forms with a call stack: the forms without one
 * pass on to those with a {@code null} stack, the reverse of {@link TraceHandler}'s defaults,
 * so that whichever form an upstream handler calls (the reader calls those with a stack; a
 * handler in front may call either), the event reaches the one override. The one home of
 * that routing for the tool's handlers that pass stacks on or keep them.
 */
abstract class StackHandler implements TraceHandler {
    @Override
    public final void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        onTaskBegin(time, thread, task, parent, type, earlier, null);
    }

    @Override
    public final void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        onSpanBegin(time, thread, span, parent, task, name, null);
    }

    @Override
    public final void onLog(long time, long thread, long task, String category, String message) {
        onLog(time, thread, task, category, message, null);
    }

    @Override
    public final void onLogCut(long time, long thread, long task, String category, String message, long originalChars) {
        onLogCut(time, thread, task, category, message, originalChars, null);
    }

    @Override
    public final void onJobQueued(long time, long thread, long job, long task) {
        onJobQueued(time, thread, job, task, null);
    }

    @Override
    public final void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        onRuntime(time, thread, kind, duration, value, detail, null);
    }
}
