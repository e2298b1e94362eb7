package io.asynctrace.benchmarks.peers;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JFR custom events that stand for asynctrace's log and span. */
final class JfrEvents {
    private JfrEvents() {
    }

    /** An instant event: a category and a message, as {@code Trace.log}. */
    @Name("io.asynctrace.benchmarks.Log")
    @Label("Log")
    @Category("asynctrace benchmarks")
    @StackTrace(false)
    static final class LogEvent extends Event {
        @Label("Category")
        String category;

        @Label("Message")
        String message;
    }

    /** {@link LogEvent} with the committing thread's stack ({@code @StackTrace(true)}): JFR's cost of a stack. */
    @Name("io.asynctrace.benchmarks.StackLog")
    @Label("Log with stack")
    @Category("asynctrace benchmarks")
    @StackTrace(true)
    static final class StackLogEvent extends Event {
        @Label("Category")
        String category;

        @Label("Message")
        String message;
    }

    /** An interval event: {@code begin()} and {@code commit()} around a named piece of work, as {@code Trace.withSpan}. */
    @Name("io.asynctrace.benchmarks.Span")
    @Label("Span")
    @Category("asynctrace benchmarks")
    @StackTrace(false)
    static final class SpanEvent extends Event {
        @Label("Name")
        String name;
    }
}
