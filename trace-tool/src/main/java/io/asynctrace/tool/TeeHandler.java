package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;

/** Hands every event to two handlers, in order, call stacks included: two analyses from one streaming pass. */
final class TeeHandler implements TraceHandler {
    private final TraceHandler a;
    private final TraceHandler b;

    TeeHandler(TraceHandler a, TraceHandler b) {
        this.a = a;
        this.b = b;
    }

    @Override
    public void onHeader(TraceHeader header) {
        a.onHeader(header);
        b.onHeader(header);
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        a.onSegment(sequence, offset, dropped);
        b.onSegment(sequence, offset, dropped);
    }

    @Override
    public void onThread(long thread, String name) {
        a.onThread(thread, name);
        b.onThread(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        a.onTaskBegin(time, thread, task, parent, type, earlier);
        b.onTaskBegin(time, thread, task, parent, type, earlier);
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        a.onTaskEnd(time, thread, task, outcome);
        b.onTaskEnd(time, thread, task, outcome);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
        a.onSpanBegin(time, thread, span, parent, task, name);
        b.onSpanBegin(time, thread, span, parent, task, name);
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        a.onSpanEnd(time, thread, span);
        b.onSpanEnd(time, thread, span);
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        a.onLog(time, thread, task, category, message);
        b.onLog(time, thread, task, category, message);
    }

    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars) {
        a.onLogCut(time, thread, task, category, message, originalChars);
        b.onLogCut(time, thread, task, category, message, originalChars);
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        a.onAttribute(time, thread, target, onSpan, key, value);
        b.onAttribute(time, thread, target, onSpan, key, value);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task) {
        a.onJobQueued(time, thread, job, task);
        b.onJobQueued(time, thread, job, task);
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        a.onJobStarted(time, thread, job);
        b.onJobStarted(time, thread, job);
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        a.onJobFinished(time, thread, job);
        b.onJobFinished(time, thread, job);
    }

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        a.onMisuse(time, thread, kind, id);
        b.onMisuse(time, thread, kind, id);
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
        a.onRuntime(time, thread, kind, duration, value, detail);
        b.onRuntime(time, thread, kind, duration, value, detail);
    }

    // The forms with a call stack go to both as they came (a handler that keeps stacks gets them;
    // one that does not routes them to the forms without, as TraceHandler's defaults do).

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier, CallStack stack) {
        a.onTaskBegin(time, thread, task, parent, type, earlier, stack);
        b.onTaskBegin(time, thread, task, parent, type, earlier, stack);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        a.onSpanBegin(time, thread, span, parent, task, name, stack);
        b.onSpanBegin(time, thread, span, parent, task, name, stack);
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        a.onLog(time, thread, task, category, message, stack);
        b.onLog(time, thread, task, category, message, stack);
    }

    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars,
            CallStack stack) {
        a.onLogCut(time, thread, task, category, message, originalChars, stack);
        b.onLogCut(time, thread, task, category, message, originalChars, stack);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        a.onJobQueued(time, thread, job, task, stack);
        b.onJobQueued(time, thread, job, task, stack);
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
            CallStack stack) {
        a.onRuntime(time, thread, kind, duration, value, detail, stack);
        b.onRuntime(time, thread, kind, duration, value, detail, stack);
    }
}
