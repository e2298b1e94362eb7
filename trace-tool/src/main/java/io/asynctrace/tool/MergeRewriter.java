package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceWriter;

/**
 * The last pass of {@code merge}: forwards one input's events to the merged trace's
 * writer with its ids offset, its times shifted, its thread names labelled
 * ({@code "LABEL:name"}), and each linked request task given the caller's task as
 * parent. JVM runtime events move with their thread, so each input's JVM (thread 0)
 * becomes a thread of its own, {@code "LABEL:JVM"}. Only root tasks are re-parented: a callee task that already has a parent
 * in its own process keeps it. Not thread-safe.
 */
final class MergeRewriter extends StackHandler {
    private final MergeInput in;
    private final TraceWriter out;
    /** Tasks given a caller task as parent. */
    long reparented;
    /** Linked tasks that kept their own parent, or whose caller span's task is unknown. */
    long notReparented;

    MergeRewriter(MergeInput in, TraceWriter out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public void onHeader(TraceHeader header) {
        // the merged header was given to the writer first
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        out.addDropped(dropped);
    }

    @Override
    public void onThread(long thread, String name) {
        out.onThread(in.thread(thread), in.label + ":" + name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier,
                            CallStack stack) {
        long newParent = in.id(parent);
        MergeLinks.Link link = in.calleeTasks.isEmpty() ? null : in.calleeTasks.get(task);
        if (link != null) {
            boolean self = link.caller == in && link.callerTask == task;
            if (parent == 0 && link.callerTask != 0 && !self) {
                newParent = link.caller.id(link.callerTask);
                reparented++;
            } else {
                notReparented++;
            }
        }
        out.onTaskBegin(in.time(time), in.thread(thread), in.id(task), newParent, type, earlier, stack);
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        out.onTaskEnd(in.time(time), in.thread(thread), in.id(task), outcome);
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        out.onSpanBegin(in.time(time), in.thread(thread), in.id(span), in.id(parent), in.id(task), name, stack);
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        out.onSpanEnd(in.time(time), in.thread(thread), in.id(span));
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        out.onLog(in.time(time), in.thread(thread), in.id(task), category, message, stack);
    }

    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars,
                         CallStack stack) {
        out.onLogCut(in.time(time), in.thread(thread), in.id(task), category, message, originalChars, stack);
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        out.onAttribute(in.time(time), in.thread(thread), in.id(target), onSpan, key, value);
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        out.onJobQueued(in.time(time), in.thread(thread), in.id(job), in.id(task), stack);
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        out.onJobStarted(in.time(time), in.thread(thread), in.id(job));
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        out.onJobFinished(in.time(time), in.thread(thread), in.id(job));
    }

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        out.onMisuse(in.time(time), in.thread(thread), kind, in.id(id));
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                          CallStack stack) {
        out.onRuntime(in.time(time), in.thread(thread), kind, duration, value, detail, stack);
    }
}
