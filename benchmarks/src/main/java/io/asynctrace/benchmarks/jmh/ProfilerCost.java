package io.asynctrace.benchmarks.jmh;

import io.asynctrace.jmh.TraceProfiler;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The cost {@code TraceProfiler} adds to the score of a benchmark that emits no events
 * (issue 18): {@link ProfiledBenchmark#baseline} without the profiler, with it (defaults:
 * runtime events on) and with {@code runtime=false}, back to back in one run, each in
 * its own fork with the same iterations: 8 x 1 s of warm-up, because JDK Flight Recorder's
 * start-up (retransformed event classes, its parser compiled) took about 4 s of the warm-up
 * on the 2 loaded cores measured. Prints one table row per case.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.asynctrace.benchmarks.jmh.ProfilerCost}
 */
public final class ProfilerCost {
    private ProfilerCost() {
    }

    public static void main(String[] args) throws RunnerException {
        String dir = args.length > 0 ? args[0] : "target/asynctrace";
        Result<?> without = run(builder());
        Result<?> with = run(builder().addProfiler(TraceProfiler.class, "dir=" + dir));
        Result<?> noRuntime = run(builder().addProfiler(TraceProfiler.class, "dir=" + dir + "/noruntime;runtime=false"));
        System.out.println();
        System.out.println("| profiler | " + without.getScoreUnit() + " | with ÷ without | within the error? |");
        System.out.println("|---|---:|---:|---|");
        row("none", without, without);
        row("`TraceProfiler` (runtime events on)", with, without);
        row("`TraceProfiler:runtime=false`", noRuntime, without);
    }

    private static ChainedOptionsBuilder builder() {
        return new OptionsBuilder()
                .include(ProfiledBenchmark.class.getName() + ".baseline$")
                .forks(1)
                .warmupIterations(8).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1));
    }

    private static Result<?> run(ChainedOptionsBuilder options) throws RunnerException {
        RunResult result = new Runner(options.build()).runSingle();
        return result.getPrimaryResult();
    }

    private static void row(String name, Result<?> r, Result<?> base) {
        double gap = Math.abs(r.getScore() - base.getScore());
        // Within the error: inside the 99.9 % interval of the run without the profiler.
        String within = r == base ? "" : gap <= base.getScoreError() ? "yes" : "no";
        System.out.println(String.format(Locale.ROOT, "| %s | %.4f ± %.4f | %.3f | %s |", name, r.getScore(),
                r.getScoreError(), r.getScore() / base.getScore(), within));
    }
}
