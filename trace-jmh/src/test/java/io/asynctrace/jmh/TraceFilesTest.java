package io.asynctrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.TimeValue;

/** File names, and what the launching JVM tells each fork. */
class TraceFilesTest {
    @Test
    void charactersThatCouldLeaveTheDirectoryOrConfuseAShellBecomeUnderscores() {
        assertThat(TraceFiles.safe("a/b\\c d:e*f?g\"h<i>j|k\u0001")).isEqualTo("a_b_c_d_e_f_g_h_i_j_k_");
        assertThat(TraceFiles.safe("com.example.Bench.run-x=1,2+3@4%5_")).isEqualTo("com.example.Bench.run-x=1,2+3@4%5_");
    }

    @Test
    void theModeIsAddedOnlyForTheSecondModeOfTheSameBenchmark() {
        String bench = "com.example.ModesBench.run";
        assertThat(TraceFiles.name(params(bench, Mode.Throughput, 0, List.of(), "n", "1"), "fork1"))
                .isEqualTo(bench + "-n=1-fork1.trace");
        assertThat(TraceFiles.name(params(bench, Mode.Throughput, 0, List.of(), "n", "1"), "fork2"))
                .isEqualTo(bench + "-n=1-fork2.trace");
        assertThat(TraceFiles.name(params(bench, Mode.AverageTime, 0, List.of(), "n", "1"), "fork1"))
                .isEqualTo(bench + "-n=1-avgt-fork1.trace");
        assertThat(TraceFiles.name(params(bench, Mode.AverageTime, 0, List.of(), "n", "a/b"), "fork1"))
                .isEqualTo(bench + "-n=a_b-fork1.trace");
    }

    @Test
    void forksAreNumberedLikeJmhAndWarmupForksAreRecordedOnlyWithWarmup() throws Exception {
        BenchmarkParams p = params("com.example.ForkBench.run", Mode.Throughput, 1, List.of());
        TraceProfiler profiler = new TraceProfiler("");
        assertThat(profiler.addJVMOptions(p)).containsExactly("-Dasynctrace.jmh.file=",
                "-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.asynctrace.jmh.IterationExecutor");
        assertThat(profiler.addJVMOptions(p)).startsWith("-Dasynctrace.jmh.file=com.example.ForkBench.run-fork1.trace");
        assertThat(profiler.addJVMOptions(p)).startsWith("-Dasynctrace.jmh.file=com.example.ForkBench.run-fork2.trace");

        TraceProfiler warm = new TraceProfiler("warmup=true");
        assertThat(warm.addJVMOptions(p)).startsWith("-Dasynctrace.jmh.file=com.example.ForkBench.run-warmupfork1.trace");
        assertThat(warm.addJVMOptions(p)).startsWith("-Dasynctrace.jmh.file=com.example.ForkBench.run-fork1.trace");

        BenchmarkParams own = params("com.example.ForkBench.run", Mode.Throughput, 0, List.of("-Djmh.executor=VIRTUAL"));
        assertThat(new TraceProfiler("").addJVMOptions(own))
                .as("the user's executor is kept").containsExactly("-Dasynctrace.jmh.file=com.example.ForkBench.run-fork1.trace");
    }

    private static BenchmarkParams params(String benchmark, Mode mode, int warmupForks, List<String> jvmArgs,
            String... keyValues) {
        WorkloadParams workload = new WorkloadParams();
        for (int i = 0; i < keyValues.length; i += 2) {
            workload.put(keyValues[i], keyValues[i + 1], i);
        }
        IterationParams warmup = new IterationParams(IterationType.WARMUP, 1, TimeValue.seconds(1), 1);
        IterationParams measurement = new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1);
        return new BenchmarkParams(benchmark, benchmark + "_jmhTest.run_" + mode.shortLabel(), true, 1, new int[] {1},
                List.of(), 2, warmupForks, warmup, measurement, mode, workload, TimeUnit.SECONDS, 1, "java", jvmArgs,
                "17", "vm", "17", "1.37", TimeValue.minutes(10));
    }
}
