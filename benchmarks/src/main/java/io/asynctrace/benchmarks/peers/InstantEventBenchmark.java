package io.asynctrace.benchmarks.peers;

import io.asynctrace.Trace;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cases 1 and 6 of issue 10: one instant event (category {@code "orderID"}, message
 * {@code "42"}) recorded by asynctrace ({@code Trace.log} under a current task), by a
 * JFR custom event ({@code commit()} while a recording writes to disk) and by
 * OpenTelemetry ({@code Span.current().addEvent} with the message as an attribute, the
 * SDK behind it). {@code *Off} is the cost while nothing records: tracing off, no JFR
 * recording, no OpenTelemetry SDK (the API's no-op). {@code *TwoThreads} runs the
 * same on two threads at once.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar peers.InstantEventBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InstantEventBenchmark {
    private static final String CATEGORY = "orderID";
    private static final AttributeKey<String> MESSAGE = AttributeKey.stringKey("message");

    /** The floor: one clock read. */
    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public void asynctraceLogOff() {
        Trace.log(CATEGORY, "42");
    }

    @Benchmark
    public void asynctraceLog(AsynctraceTask t) {
        Trace.log(CATEGORY, "42");
    }

    @Benchmark
    @Threads(2)
    public void asynctraceLogTwoThreads(AsynctraceTask t) {
        Trace.log(CATEGORY, "42");
    }

    /** No recording in this fork: the event class is not instrumented, {@code commit()} is empty. */
    @Benchmark
    public void jfrCommitOff() {
        commitLog();
    }

    @Benchmark
    public void jfrCommit(JfrOn jfr) {
        commitLog();
    }

    @Benchmark
    @Threads(2)
    public void jfrCommitTwoThreads(JfrOn jfr) {
        commitLog();
    }

    /** No SDK: {@code Span.current()} is the invalid span, whose {@code addEvent} does nothing. */
    @Benchmark
    public void otelAddEventOff() {
        Span.current().addEvent(CATEGORY, Attributes.of(MESSAGE, "42"));
    }

    @Benchmark
    public void otelAddEvent(OtelEventSpan s) {
        Span.current().addEvent(CATEGORY, Attributes.of(MESSAGE, "42"));
        s.added();
    }

    @Benchmark
    @Threads(2)
    public void otelAddEventTwoThreads(OtelEventSpan s) {
        Span.current().addEvent(CATEGORY, Attributes.of(MESSAGE, "42"));
        s.added();
    }

    private static void commitLog() {
        JfrEvents.LogEvent e = new JfrEvents.LogEvent();
        e.category = CATEGORY;
        e.message = "42";
        e.commit();
    }
}
