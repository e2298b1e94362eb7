package io.asynctrace.jmh;

import io.asynctrace.Task;
import io.asynctrace.Trace;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.ExternalProfiler;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.TextResult;
import org.openjdk.jmh.runner.IterationType;

/**
 * A JMH profiler that writes a trace per benchmark and fork, like
 * {@code go test -bench -trace}, with no change to the benchmark code:
 *
 * <pre>
 * java -jar benchmarks.jar MyBench -prof io.asynctrace.jmh.TraceProfiler
 * java -jar benchmarks.jar MyBench -prof "io.asynctrace.jmh.TraceProfiler:dir=traces;runtime=true"
 * </pre>
 *
 * <h2>What is recorded</h2>
 * <ul>
 *   <li>Each fork of each benchmark (each combination of {@code @Param} values) writes
 *       {@code DIR/<benchmark method's full name>[-<param>=<value>...]-fork<N>.trace}
 *       ({@code fork0} when not forked), replacing a file of that name; {@code DIR} is
 *       created if missing.</li>
 *   <li>Each recorded iteration is a root task of type {@code iteration} with attributes
 *       {@code phase} ({@code warmup} or {@code measurement}), {@code index} (from 1, per
 *       phase, as JMH prints it) and, once the iteration is over, {@code score} and
 *       {@code unit} (JMH's primary result); it ends {@code ok}, or {@code failed} when the
 *       benchmark threw.</li>
 *   <li>The iteration's task is current on JMH's worker threads while they run the
 *       iteration (its {@code @Setup} and {@code @TearDown} methods too, see
 *       {@link IterationExecutor}): tasks the benchmark creates are its children, its
 *       spans and logs are on it. Work the benchmark hands to other threads belongs to
 *       the iteration where the benchmark carries its task there; the rest of the JVM's
 *       events are in the file too, inside the iterations by time.</li>
 *   <li>With {@code runtime=true}, JVM runtime events (GC pauses, heap, blocking,
 *       thread start and end) from JDK Flight Recorder.</li>
 * </ul>
 *
 * <h2>Options</h2>
 * {@code key=value} pairs separated by {@code ;}: {@code dir} (default
 * {@code target/asynctrace}), {@code runtime=true|false} (default true),
 * {@code warmup=true|false} (record the warm-up iterations and warm-up forks, default
 * false: the file then starts at the first measurement iteration),
 * {@code flight=SECONDS} (keep only a flight recorder of at least the last SECONDS,
 * at most 256 MiB, and write it at the end). An unknown option or a bad value fails
 * the run before any fork with JMH's {@link ProfilerException}, naming the option and
 * what it accepts; {@code help} lists them.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>It runs in the forked benchmark JVM ({@link InternalProfiler}); in the JVM that
 *       launches the forks ({@link ExternalProfiler}) it only names each fork's file and
 *       asks the fork to use {@link IterationExecutor} as JMH's executor
 *       ({@code -Djmh.executor=CUSTOM}), unless the benchmark's JVM arguments choose an
 *       executor themselves: then, and when not forked ({@code -f 0}), the benchmark's
 *       events are inside the iterations by time only, on no task.</li>
 *   <li>The recording starts at the first iteration, before its workers, also when
 *       warm-up iterations are not recorded (then a flight recorder that keeps almost
 *       nothing runs through the warm-up and the file is attached at the first
 *       measurement iteration), so that the recorder's and JDK Flight Recorder's
 *       start-up fall in the warm-up. It ends after the last measurement iteration (or
 *       the first failed one), outside any measured interval; the file is written to a
 *       temporary file beside it and moved into place, also when the JVM exits early (a
 *       shutdown hook).</li>
 *   <li>The last iteration's results carry a {@link TextResult} labelled
 *       {@code asynctrace}: a line per file with its absolute path and size (or why it
 *       could not be written), which JMH prints after the benchmark.</li>
 *   <li>One recording per JVM. A benchmark that starts tracing itself shares it with the
 *       profiler: with {@code flight=SECONDS} both work (the benchmark's {@code Trace.start}
 *       joins the profiler's recording, whose options apply); with the defaults its
 *       {@code Trace.start} joins the warm-up recorder and the profiler writes no file;
 *       with {@code warmup=true} its {@code Trace.start} fails. Whenever tracing is
 *       already on when the profiler starts, nothing is recorded and the result line
 *       says why. The profiler never fails a benchmark itself.</li>
 * </ul>
 */
public final class TraceProfiler implements InternalProfiler, ExternalProfiler {
    /** Set by the launching JVM in each fork: the fork's file name, empty for a fork not to record. */
    static final String FILE_PROPERTY = "asynctrace.jmh.file";
    static final String RESULT_LABEL = "asynctrace";

    private final ProfilerOptions options;

    // Launching JVM: forks started per benchmark.
    private final Map<BenchmarkParams, Integer> forks = new HashMap<>();

    // Benchmark JVM: JMH's main thread calls the iteration hooks of one benchmark in order.
    private int warmups;
    private int measurements;
    private Task iteration;
    private Recording recording;
    private boolean finished;
    private boolean reported;
    private String notRecorded;
    private Thread exitHook;

    /**
     * Called by JMH with the text after {@code TraceProfiler:} on the command line.
     *
     * @param initLine the options, {@code key=value} pairs separated by {@code ;}; empty for the defaults
     * @throws ProfilerException if an option is unknown or its value bad
     */
    public TraceProfiler(String initLine) throws ProfilerException {
        this.options = ProfilerOptions.parse(initLine);
    }

    @Override
    public String getDescription() {
        return "asynctrace: a trace per benchmark and fork (options: " + ProfilerOptions.ACCEPTED + ")";
    }

    // ---- benchmark JVM ----

    @Override
    public synchronized void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        boolean warmup = iterationParams.getType() == IterationType.WARMUP;
        int index = warmup ? ++warmups : ++measurements;
        if (finished || (recording == null && !start(benchmarkParams, warmup && !options.warmup))) {
            return;
        }
        if (warmup && !options.warmup) {
            return; // held: the recorder and JFR warm up with the benchmark, nothing is kept
        }
        if (!warmup) {
            try {
                recording.measuring();
            } catch (Exception e) {
                notRecorded = "asynctrace: " + recording.file().toAbsolutePath() + " not recorded: " + e;
                recording.finish();
                recording = null;
                finished = true;
                return;
            }
        }
        iteration = Trace.newTask("iteration", null)
                .attr("phase", warmup ? "warmup" : "measurement")
                .attr("index", Integer.toString(index));
        IterationExecutor.setCurrent(iteration);
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's signature
    public synchronized Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        IterationExecutor.setCurrent(null);
        boolean failed = result.getRawPrimaryResults().isEmpty(); // JMH throws right after this call
        if (iteration != null) {
            if (!failed) {
                Result<?> score = result.getPrimaryResult();
                iteration.attr("score", Double.toString(score.getScore())).attr("unit", score.getScoreUnit());
            }
            iteration.end(failed ? "failed" : "ok");
            iteration = null;
        }
        if (reported || !(failed || isLast(benchmarkParams, iterationParams))) {
            return List.of();
        }
        reported = true;
        String line = finish();
        return line.isEmpty() ? List.of() : List.of(new TextResult(line + System.lineSeparator(), RESULT_LABEL));
    }

    private boolean isLast(BenchmarkParams benchmark, IterationParams iteration) {
        if (iteration.getType() == IterationType.MEASUREMENT) {
            return measurements == iteration.getCount();
        }
        return warmups == iteration.getCount() && benchmark.getMeasurement().getCount() == 0;
    }

    private boolean start(BenchmarkParams benchmark, boolean hold) {
        String name = System.getProperty(FILE_PROPERTY);
        if (name == null) { // not forked (-f 0): this JVM launched no fork
            name = TraceFiles.name(benchmark, "fork0");
        }
        if (name.isEmpty()) { // a warm-up fork, with warmup=false
            finished = true;
            return false;
        }
        Path file = options.dir.resolve(name);
        try {
            recording = Recording.start(file, options, hold);
        } catch (Exception e) {
            notRecorded = "asynctrace: " + file.toAbsolutePath() + " not recorded: " + e;
            finished = true;
            return false;
        }
        exitHook = new Thread(this::finish, "asynctrace-jmh-exit");
        Runtime.getRuntime().addShutdownHook(exitHook);
        return true;
    }

    /**
     * Ends the recording once; from JMH's main thread or the shutdown hook.
     *
     * @return the result line, or empty when this JVM records nothing (a warm-up fork)
     */
    private synchronized String finish() {
        if (finished || recording == null) {
            finished = true;
            return notRecorded == null ? "" : notRecorded;
        }
        finished = true;
        if (Thread.currentThread() != exitHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException exiting) {
                // the hook runs or ran: finished guards it
            }
        }
        if (iteration != null) { // the JVM exits in the middle of one
            iteration.end("failed");
            iteration = null;
        }
        return recording.finish();
    }

    // ---- launching JVM ----

    @Override
    public Collection<String> addJVMInvokeOptions(BenchmarkParams params) {
        return List.of();
    }

    @Override
    public Collection<String> addJVMOptions(BenchmarkParams params) {
        int fork = forks.merge(params, 1, Integer::sum);
        boolean warmupFork = fork <= params.getWarmupForks();
        List<String> args = new ArrayList<>();
        if (warmupFork && !options.warmup) {
            args.add("-D" + FILE_PROPERTY + "=");
        } else {
            String label = warmupFork ? "warmupfork" + fork : "fork" + (fork - params.getWarmupForks());
            args.add("-D" + FILE_PROPERTY + "=" + TraceFiles.name(params, label));
        }
        boolean ownExecutor = params.getJvmArgs().stream().anyMatch(a -> a.startsWith("-Djmh.executor="));
        if (!ownExecutor) {
            args.add("-Djmh.executor=CUSTOM");
            args.add("-Djmh.executor.class=" + IterationExecutor.class.getName());
        }
        return args;
    }

    @Override
    public void beforeTrial(BenchmarkParams benchmarkParams) {
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's signature
    public Collection<? extends Result> afterTrial(BenchmarkResult br, long pid, File stdOut, File stdErr) {
        return List.of();
    }

    @Override
    public boolean allowPrintOut() {
        return true;
    }

    @Override
    public boolean allowPrintErr() {
        return true;
    }
}
