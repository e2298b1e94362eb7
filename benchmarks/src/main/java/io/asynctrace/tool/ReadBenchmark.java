package io.asynctrace.tool;

import io.asynctrace.benchmarks.core.EventSizeReport;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Read speed of a trace held in memory: the streaming reader alone, and the reader
 * feeding {@code asynctrace summary}'s handler (this class lives in the tool's
 * package to reach that package-private handler). One thread, one core's work.
 * Events per second = {@link #EVENTS_PER_OP} / (seconds per op); the trial prints
 * the exact event count.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ReadBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-XX:ActiveProcessorCount=1")
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class ReadBenchmark {
    /** Orders recorded; each is a task, three spans (two nested) and a log: 9 events. */
    static final int ORDERS = 200_000;
    static final int EVENTS_PER_OP = ORDERS * 9;

    private byte[] trace;

    @Setup(Level.Trial)
    public void record() throws Exception {
        trace = EventSizeReport.record(ORDERS, true);
        TraceReader r = new TraceReader(new ByteArrayInputStream(trace));
        r.read(new TraceHandler() { });
        System.out.printf("%n[trace] %,d events, %,d bytes, dropped %d%n", r.events(), trace.length, r.dropped());
    }

    @TearDown(Level.Trial)
    public void drop() {
        trace = null;
    }

    @Benchmark
    public long readerOnly() throws IOException {
        TraceReader r = new TraceReader(new ByteArrayInputStream(trace));
        r.read(new TraceHandler() {
            long sum;

            @Override
            public void onSpanEnd(long time, long thread, long span) {
                sum += span;
            }
        });
        return r.events();
    }

    @Benchmark
    public Object readAndSummarise() throws IOException {
        SummaryHandler handler = new SummaryHandler();
        TraceReader r = new TraceReader(new ByteArrayInputStream(trace));
        r.read(handler);
        handler.finish();
        return handler;
    }
}
