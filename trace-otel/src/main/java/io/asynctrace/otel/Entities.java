package io.asynctrace.otel;

import io.asynctrace.reader.LogInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link SpanMapper} keeps of a task, span or job while it waits to be exported. Confined to the mapper. */
final class Entities {
    private Entities() {
    }

    /** A task seen in the file, until it is exported and nothing open refers to it. */
    static final class TaskState {
        final long id;
        long parent;
        String type;
        boolean hasBegin;
        long start;
        long beginThread = -1;
        boolean hasEnd;
        long end;
        long endThread = -1;
        String outcome;
        Map<String, String> attrs;
        /** Ended spans not yet exported. */
        List<SpanState> spans;
        /** Begin, end, thread and end thread of every ended span, for the breakdown. */
        long[] spanTimes = new long[0];
        int spanTimesLength;
        List<LogInfo> logs;
        int logCount;
        List<JobState> jobs;
        /** Threads involved, with the time each first appeared: pairs (thread, time). */
        long[] threads = new long[8];
        int threadsLength;
        /** Children (tasks naming this one as parent) not yet released. */
        int openChildren;
        /** Spans of this task not yet ended. */
        int openSpans;
        /** Whether this task's parent counts it in its {@link #openChildren}. */
        boolean countedByParent;
        /** The trace id, once decided (it never changes after). */
        String traceId;
        boolean emitted;
        /** The segment its end was read in, once it waits in the mapper's queue of ended tasks; else -1. */
        long endSegment = -1;

        TaskState(long id) {
            this.id = id;
        }

        void touch(long thread, long time) {
            for (int i = 0; i < threadsLength; i += 2) {
                if (threads[i] == thread) {
                    if (time < threads[i + 1]) {
                        threads[i + 1] = time;
                    }
                    return;
                }
            }
            if (threadsLength == threads.length) {
                threads = Arrays.copyOf(threads, threadsLength * 2);
            }
            threads[threadsLength++] = thread;
            threads[threadsLength++] = time;
        }

        String attr(String key) {
            return attrs == null ? null : attrs.get(key);
        }

        void putAttr(String key, String value) {
            if (attrs == null) {
                attrs = new LinkedHashMap<>();
            }
            attrs.put(key, value);
        }

        void addSpan(SpanState s) {
            if (spans == null) {
                spans = new ArrayList<>();
            }
            spans.add(s);
            if (spanTimesLength + 4 > spanTimes.length) {
                spanTimes = Arrays.copyOf(spanTimes, Math.max(16, spanTimes.length * 2));
            }
            spanTimes[spanTimesLength++] = s.start;
            spanTimes[spanTimesLength++] = s.end;
            spanTimes[spanTimesLength++] = s.thread;
            spanTimes[spanTimesLength++] = s.endThread;
        }
    }

    /** A span, from its begin until it is exported. */
    static final class SpanState {
        final long id;
        long parent;
        long task;
        String name;
        boolean hasBegin;
        long start;
        long thread;
        long end = -1;
        long endThread = -1;
        boolean incomplete;
        Map<String, String> attrs;
        /** The task's state while it is tracked, else null. */
        TaskState taskState;
        /** For a span whose task is not tracked: its trace id and parent span id (null: a root span). */
        String traceId;
        String parentSpanId;

        SpanState(long id) {
            this.id = id;
        }

        String attr(String key) {
            return attrs == null ? null : attrs.get(key);
        }

        void putAttr(String key, String value) {
            if (attrs == null) {
                attrs = new LinkedHashMap<>();
            }
            attrs.put(key, value);
        }
    }

    /** An executor job of a task: queued, started, finished (-1 when unknown). */
    static final class JobState {
        TaskState task;
        long queued = -1;
        long started = -1;
        long finished = -1;
        long runThread = -1;
    }
}
