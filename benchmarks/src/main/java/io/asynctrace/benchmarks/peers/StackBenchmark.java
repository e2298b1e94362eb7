package io.asynctrace.benchmarks.peers;

import io.asynctrace.RecordingStats;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 15: the cost of a stack per event. asynctrace's {@code Trace.log} and
 * {@code Trace.withSpan} under a current task, recorded with {@code withStackDepth(depth)}
 * (0: no stacks, the A side of the A/B), beside a JFR instant event committed with and
 * without {@code @StackTrace(true)} while a recording writes to disk. The stack's cost
 * is each one's difference between with and without; the call site repeats, as in an
 * application's hot path, and the benchmark method sits some frames deep
 * ({@link #DEPTH} calls) so that there is a stack to walk. JFR keeps up to 64 frames
 * (its default), all of this stack's; depth 64 is the like-for-like comparison.
 *
 * <p>{@code stackWalkerFloor} is the least any capture through {@link StackWalker} can
 * cost: one walk of the same frames asking each only its class and bytecode index, as a
 * cached stack of asynctrace's does, with no recording at all.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar peers.StackBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StackBenchmark {
    /** Frames of the benchmark's own below the event (plus JMH's). */
    static final int DEPTH = 8;
    private static final Runnable NOTHING = () -> { };
    private static final StackWalker FLOOR_WALKER = StackWalker.getInstance(
            EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE), 32);
    private static final Function<Stream<StackWalker.StackFrame>, Integer> FLOOR =
            s -> {
                int n = 0;
                int h = 0;
                Iterator<StackWalker.StackFrame> it = s.iterator();
                while (it.hasNext() && n <= 64) {
                    StackWalker.StackFrame f = it.next();
                    h = h * 31 + System.identityHashCode(f.getDeclaringClass()) + f.getByteCodeIndex();
                    n++;
                }
                return h;
            };

    /** An asynctrace recording with stacks of {@code depth} frames, to disk, and a current task. */
    @State(Scope.Benchmark)
    public static class Stacks {
        @Param({"0", "16", "64"})
        public int depth;

        private RewindingFileStream file;
        private OutputStream out;

        @Setup(Level.Trial)
        public void start() throws IOException {
            file = new RewindingFileStream("asynctrace-stacks-bench", AsynctraceOn.MAX_FILE_BYTES);
            out = new BufferedOutputStream(file, 64 * 1024);
            Trace.start(out, TraceOptions.defaults().withStackDepth(depth));
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            RecordingStats stats = Trace.stop();
            out.close();
            System.out.printf("%n[asynctrace stack depth %d] %s; %,d bytes written to disk%n", depth, stats,
                    file.written());
        }
    }

    /** The benchmark thread's current task. */
    @State(Scope.Thread)
    public static class CurrentTask {
        private Task task;
        private io.asynctrace.Scope scope;

        @Setup(Level.Trial)
        public void enter(Stacks recording) {
            task = Trace.newTask("bench");
            scope = task.makeCurrent();
        }

        @TearDown(Level.Trial)
        public void exit() {
            scope.close();
            task.end();
        }
    }

    /** A JFR recording of the two instant events, one enabled with stack traces, to disk. */
    @State(Scope.Benchmark)
    public static class JfrStacks {
        private Recording recording;
        private Path file;

        @Setup(Level.Trial)
        public void start() throws IOException {
            file = Files.createTempFile("jfr-stack-bench", ".jfr");
            recording = new Recording();
            recording.enable(JfrEvents.LogEvent.class).withoutStackTrace();
            recording.enable(JfrEvents.StackLogEvent.class).withStackTrace();
            recording.setToDisk(true);
            recording.setMaxSize(JfrOn.MAX_SIZE);
            recording.setDestination(file);
            recording.start();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            recording.stop();
            recording.close();
            Files.deleteIfExists(file);
        }
    }

    @Benchmark
    public void asynctraceLog(CurrentTask t) {
        deep(DEPTH, 0);
    }

    @Benchmark
    public void asynctraceSpan(CurrentTask t) {
        deep(DEPTH, 1);
    }

    @Benchmark
    public void jfrLog(JfrStacks jfr) {
        deep(DEPTH, 2);
    }

    @Benchmark
    public void jfrLogWithStack(JfrStacks jfr) {
        deep(DEPTH, 3);
    }

    @Benchmark
    public int stackWalkerFloor() {
        return deep(DEPTH, 4);
    }

    private static int deep(int frames, int what) {
        if (frames > 0) {
            return deep(frames - 1, what);
        }
        switch (what) {
            case 0 -> Trace.log("orderID", "42");
            case 1 -> Trace.withSpan("steamMilk", NOTHING);
            case 2 -> {
                JfrEvents.LogEvent e = new JfrEvents.LogEvent();
                e.category = "orderID";
                e.message = "42";
                e.commit();
            }
            case 3 -> {
                JfrEvents.StackLogEvent e = new JfrEvents.StackLogEvent();
                e.category = "orderID";
                e.message = "42";
                e.commit();
            }
            default -> {
                return FLOOR_WALKER.walk(FLOOR);
            }
        }
        return 0;
    }
}
