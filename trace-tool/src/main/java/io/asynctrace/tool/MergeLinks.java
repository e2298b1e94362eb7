package io.asynctrace.tool;

import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.TraceHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The W3C {@code traceparent} links between the inputs of {@code merge}, as
 * trace-netty records them: a client span with attribute {@code trace.span_id} = X
 * (the span {@code "http.client <METHOD>"}) is the caller of every task with
 * attribute {@code trace.parent_id} = X (the server's request task).
 *
 * <p>Pass one ({@link #keys}) collects those two attributes and the largest id of
 * each input; {@link #join} pairs them; pass two ({@link #times}) collects the begin
 * and end of the linked spans and tasks and the task that owns each caller span.
 * Memory is one small entry per traced HTTP call, not per event. Not thread-safe.
 */
final class MergeLinks {
    /** The span attribute a traced client records: the span id it sent in {@code traceparent}. */
    static final String SPAN_ID = "trace.span_id";
    /** The task attribute a traced server records: the caller's span id from {@code traceparent}. */
    static final String PARENT_ID = "trace.parent_id";

    /** One call: the caller's client span and the callee's request task. */
    static final class Link {
        final MergeInput caller;
        final long callerSpan;
        final MergeInput callee;
        final long calleeTask;
        /** The next link of the same caller span (a callee recorded in two inputs). */
        Link nextOnSpan;

        /** The task that owns the caller span; 0 until the span's begin is read. */
        long callerTask;
        boolean spanBegun;
        long spanStart;
        boolean spanEnded;
        long spanEnd;
        boolean taskBegun;
        long taskStart;
        boolean taskEnded;
        long taskEnd;

        Link(MergeInput caller, long callerSpan, MergeInput callee, long calleeTask) {
            this.caller = caller;
            this.callerSpan = callerSpan;
            this.callee = callee;
            this.calleeTask = calleeTask;
        }

        /** @return whether the four times are known, so the link bounds the two clocks */
        boolean timed() {
            return spanBegun && spanEnded && taskBegun && taskEnded;
        }
    }

    private final List<Link> links = new ArrayList<>();
    /** {@code trace.parent_id} values that name no client span of the inputs. */
    int unmatched;
    /** {@code trace.parent_id} values that name client spans in two inputs: left alone. */
    int ambiguous;

    /** @return every link, in input order of the callee */
    List<Link> links() {
        return links;
    }

    /** @return the pass-one handler of {@code in} */
    static TraceHandler keys(MergeInput in) {
        return new Keys(in);
    }

    /**
     * Pairs the attributes of pass one across all inputs, and drops them.
     *
     * @param inputs every input, after pass one
     */
    void join(List<MergeInput> inputs) {
        Map<Long, Object> callers = new HashMap<>(); // w3c span id -> long[] {input, span}, or AMBIGUOUS
        Object ambiguousMark = new Object();
        for (MergeInput in : inputs) {
            in.clientSpans.forEach((span, w3c, unused) -> {
                Object prev = callers.putIfAbsent(w3c, new long[] {in.index, span});
                if (prev != null) {
                    callers.put(w3c, ambiguousMark);
                }
            });
            in.clientSpans = null;
        }
        for (MergeInput in : inputs) {
            in.remoteChildren.forEach((task, w3c, unused) -> {
                Object c = callers.get(w3c);
                if (c == null) {
                    unmatched++;
                } else if (c == ambiguousMark) {
                    ambiguous++;
                } else {
                    long[] at = (long[]) c;
                    MergeInput caller = inputs.get((int) at[0]);
                    Link link = new Link(caller, at[1], in, task);
                    in.calleeTasks.put(task, 0, link);
                    if (caller.callerSpans.find(at[1])) {
                        link.nextOnSpan = caller.callerSpans.foundObject();
                    }
                    caller.callerSpans.put(at[1], 0, link);
                    links.add(link);
                }
            });
            in.remoteChildren = null;
        }
    }

    /** @return the pass-two handler of {@code in}, or null when no link involves it */
    static TraceHandler times(MergeInput in) {
        return in.callerSpans.isEmpty() && in.calleeTasks.isEmpty() ? null : new Times(in);
    }

    /** Parses a W3C span id (16 lowercase hex digits, not all zero); 0 when it is not one. */
    static long parseSpanId(String s) {
        if (s == null || s.length() != 16) {
            return 0;
        }
        for (int i = 0; i < 16; i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return 0;
            }
        }
        return Long.parseUnsignedLong(s, 16);
    }

    /** Pass one: the link attributes and the largest id. */
    private static final class Keys implements TraceHandler {
        private final MergeInput in;
        private long max;

        Keys(MergeInput in) {
            this.in = in;
        }

        private void see(long a, long b) {
            long m = Math.max(a, b);
            if (m > max) {
                max = m;
                in.maxId = m;
            }
        }

        @Override
        public void onThread(long thread, String name) {
            see(thread, 0);
        }

        @Override
        public void onRuntime(long time, long thread, io.asynctrace.reader.RuntimeKind kind, long duration,
                long value, String detail) {
            see(thread, 0);
        }

        @Override
        public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
            see(task, parent);
        }

        @Override
        public void onTaskEnd(long time, long thread, long task, String outcome) {
            see(task, 0);
        }

        @Override
        public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
            see(span, Math.max(parent, task));
        }

        @Override
        public void onSpanEnd(long time, long thread, long span) {
            see(span, 0);
        }

        @Override
        public void onLog(long time, long thread, long task, String category, String message) {
            see(task, 0);
        }

        @Override
        public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
            see(target, 0);
            if (onSpan && SPAN_ID.equals(key)) {
                long w3c = parseSpanId(value);
                if (w3c != 0) {
                    in.clientSpans.put(target, w3c, null);
                }
            } else if (!onSpan && PARENT_ID.equals(key)) {
                long w3c = parseSpanId(value);
                if (w3c != 0) {
                    in.remoteChildren.put(target, w3c, null);
                }
            }
        }

        @Override
        public void onJobQueued(long time, long thread, long job, long task) {
            see(job, task);
        }

        @Override
        public void onJobStarted(long time, long thread, long job) {
            see(job, 0);
        }

        @Override
        public void onJobFinished(long time, long thread, long job) {
            see(job, 0);
        }

        @Override
        public void onMisuse(long time, long thread, Misuse kind, long id) {
            see(id, 0);
        }
    }

    /** Pass two: begins and ends of the linked spans and tasks, and the caller spans' tasks. */
    private static final class Times implements TraceHandler {
        private final MergeInput in;

        Times(MergeInput in) {
            this.in = in;
        }

        @Override
        public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
            for (Link l = in.callerSpans.get(span); l != null; l = l.nextOnSpan) {
                if (!l.spanBegun) {
                    l.spanBegun = true;
                    l.spanStart = time;
                    l.callerTask = task;
                }
            }
        }

        @Override
        public void onSpanEnd(long time, long thread, long span) {
            for (Link l = in.callerSpans.get(span); l != null; l = l.nextOnSpan) {
                if (!l.spanEnded) {
                    l.spanEnded = true;
                    l.spanEnd = time;
                }
            }
        }

        @Override
        public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
            Link l = in.calleeTasks.get(task);
            if (l != null && !l.taskBegun) {
                l.taskBegun = true;
                l.taskStart = time;
            }
        }

        @Override
        public void onTaskEnd(long time, long thread, long task, String outcome) {
            Link l = in.calleeTasks.get(task);
            if (l != null && !l.taskEnded) {
                l.taskEnded = true;
                l.taskEnd = time;
            }
        }
    }
}
