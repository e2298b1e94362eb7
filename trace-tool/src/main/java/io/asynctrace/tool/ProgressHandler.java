package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;

/** Forwards every event to a handler and moves a progress bar at each segment. */
final class ProgressHandler extends StackHandler {
    private final TraceHandler d;
    private final Scan.Progress progress;

    ProgressHandler(TraceHandler delegate, Scan.Progress progress) {
        this.d = delegate;
        this.progress = progress;
    }

    @Override
    public void onHeader(TraceHeader header) {
        d.onHeader(header);
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        progress.update(offset);
        d.onSegment(sequence, offset, dropped);
    }

    @Override
    public void onThread(long thread, String name) {
        d.onThread(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier,
                            CallStack stack) {
        d.onTaskBegin(time, thread, task, parent, type, earlier, stack);
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        d.onTaskEnd(time, thread, task, outcome);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        d.onSpanBegin(time, thread, span, parent, task, name, stack);
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        d.onSpanEnd(time, thread, span);
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        d.onLog(time, thread, task, category, message, stack);
    }

    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars,
                         CallStack stack) {
        d.onLogCut(time, thread, task, category, message, originalChars, stack);
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        d.onAttribute(time, thread, target, onSpan, key, value);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        d.onJobQueued(time, thread, job, task, stack);
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        d.onJobStarted(time, thread, job);
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        d.onJobFinished(time, thread, job);
    }

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        d.onMisuse(time, thread, kind, id);
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                          CallStack stack) {
        d.onRuntime(time, thread, kind, duration, value, detail, stack);
    }
}
