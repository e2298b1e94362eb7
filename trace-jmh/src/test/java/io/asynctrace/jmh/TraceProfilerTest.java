package io.asynctrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.TraceModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link SampleBenchmark} for real (forked, two warm-up and two measurement iterations,
 * two values of a parameter) through the profiler and reads the files back.
 * The forks record; this JVM must not ({@link NoLeftovers}).
 */
@ExtendWith(NoLeftovers.class)
class TraceProfilerTest {
    private static final String WORK = SampleBenchmark.class.getName() + ".work";

    @TempDir
    Path tmp;

    /** One fork per parameter value, short iterations, a small heap: a few seconds per fork. */
    private ChainedOptionsBuilder options(String profilerOptions) {
        return options(WORK, profilerOptions);
    }

    private ChainedOptionsBuilder options(String benchmark, String profilerOptions) {
        return new OptionsBuilder()
                .include(java.util.regex.Pattern.quote(benchmark) + "$")
                .forks(1)
                .warmupIterations(2).warmupTime(TimeValue.milliseconds(100))
                .measurementIterations(2).measurementTime(TimeValue.milliseconds(100))
                .jvmArgs("-Xmx128m", "-XX:TieredStopAtLevel=1", "-Djmh.ignoreLock=true")
                .shouldFailOnError(true)
                .timeout(TimeValue.seconds(60))
                .output(tmp.resolve("jmh.out").toString())
                .addProfiler(TraceProfiler.class, profilerOptions);
    }

    @Test
    void writesOneFilePerParamAndForkWithEveryIterationAndTheBenchmarksOwnEvents() throws Exception {
        Path dir = tmp.resolve("traces/nested"); // created by the profiler
        new Runner(options("dir=" + dir + ";warmup=true;runtime=true").build()).run();

        String one = WORK + "-kind=cpu-size=1-fork1.trace";
        String two = WORK + "-kind=cpu-size=2-fork1.trace";
        assertThat(traces(dir)).containsExactly(one, two);
        String output = Files.readString(tmp.resolve("jmh.out"));
        for (String name : List.of(one, two)) {
            Path file = dir.resolve(name);
            assertThat(output).as("JMH's output names the file and its size")
                    .contains("asynctrace: " + file.toAbsolutePath() + " (" + Files.size(file) + " bytes)");

            TraceModel model = TraceModels.assertWhole(TraceModels.read(file));
            List<TaskInfo> iterations = iterations(model);
            assertThat(iterations).extracting(t -> t.attributes().get("phase") + " " + t.attributes().get("index"))
                    .containsExactly("warmup 1", "warmup 2", "measurement 1", "measurement 2");
            for (TaskInfo it : iterations) {
                assertThat(it.complete()).isTrue();
                assertThat(it.outcome()).isEqualTo("ok");
                assertThat(it.parentId()).isZero();
                assertThat(Double.parseDouble(it.attributes().get("score"))).isPositive();
                assertThat(it.attributes().get("unit")).isEqualTo("us/op");
            }
            assertBenchmarkEventsInsideIterations(model, iterations);

            assertGcPauseInEach(model, iterations);
        }
    }

    @Test
    void byDefaultRecordsOnlyMeasurementIterationsWithRuntimeEventsIntoTargetAsynctrace() throws Exception {
        Path dir = Path.of(ProfilerOptions.DEFAULT_DIR); // relative to the fork's working directory, this module's
        deleteTree(dir);
        new Runner(options("").param("size", "1").build()).run();

        String name = WORK + "-kind=cpu-size=1-fork1.trace";
        assertThat(traces(dir)).containsExactly(name);
        TraceModel model = TraceModels.assertWhole(TraceModels.read(dir.resolve(name)));
        List<TaskInfo> iterations = iterations(model);
        assertThat(iterations).extracting(t -> t.attributes().get("phase") + " " + t.attributes().get("index"))
                .containsExactly("measurement 1", "measurement 2");
        // Nothing of the warm-up: every op, work and setup event is a measurement iteration's.
        assertBenchmarkEventsInsideIterations(model, iterations);
        assertGcPauseInEach(model, iterations);
        assertThat(Files.readString(tmp.resolve("jmh.out"))).contains(dir.resolve(name).toAbsolutePath().toString());
    }

    @Test
    void notForkedTheFileIsFork0AndTheBenchmarksEventsAreInsideTheIterationsByTimeOnly() throws Exception {
        new Runner(options("dir=" + tmp + ";runtime=false").forks(0).param("size", "1").build()).run();

        TraceModel model = TraceModels.assertWhole(TraceModels.read(tmp.resolve(WORK + "-kind=cpu-size=1-fork0.trace")));
        List<TaskInfo> iterations = iterations(model);
        assertThat(iterations).extracting(t -> t.attributes().get("phase") + " " + t.attributes().get("index"))
                .containsExactly("measurement 1", "measurement 2");
        List<TaskInfo> ops = TraceModels.tasks(model, "op");
        assertThat(ops).isNotEmpty().allSatisfy(op -> {
            assertThat(op.parentId()).as("JMH's own executor: no iteration current").isZero();
            assertThat(iterations).anyMatch(it -> op.start() >= it.start() && op.end() <= it.end());
        });
    }

    @Test
    void aFailingIterationEndsFailedAndTheFileIsStillWritten() throws Exception {
        String fails = SampleBenchmark.class.getName() + ".fails";
        new Runner(options(fails, "dir=" + tmp + ";warmup=true;runtime=false;flight=600")
                .warmupIterations(1).param("size", "1").shouldFailOnError(false).build()).run();

        TraceModel model = TraceModels.assertWhole(TraceModels.read(tmp.resolve(fails + "-kind=cpu-size=1-fork1.trace")));
        assertThat(iterations(model)).extracting(t -> t.attributes().get("phase") + " " + t.attributes().get("index")
                        + " " + t.outcome() + " " + t.attributes().containsKey("score"))
                .containsExactly("warmup 1 ok true", "measurement 1 ok true", "measurement 2 failed false");
        assertThat(model.runtime()).as("runtime=false").isEmpty();
    }

    @Test
    void aJvmThatExitsInTheMiddleOfAnIterationStillWritesItsFile() throws Exception {
        String exits = SampleBenchmark.class.getName() + ".exits";
        new Runner(options(exits, "dir=" + tmp + ";warmup=true;runtime=false")
                .warmupIterations(1).param("size", "1").shouldFailOnError(false).build()).run();

        TraceModel model = TraceModels.assertWhole(TraceModels.read(tmp.resolve(exits + "-kind=cpu-size=1-fork1.trace")));
        assertThat(iterations(model)).extracting(t -> t.attributes().get("phase") + " " + t.attributes().get("index")
                        + " " + t.outcome())
                .containsExactly("warmup 1 ok", "measurement 1 ok", "measurement 2 failed");
    }

    @Test
    void aBadOptionFailsTheRunAtOnceSayingWhatIsAccepted() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> new Runner(options("dir=x;runtime=maybe").build()).run())
                .isInstanceOf(RunnerException.class)
                .cause().hasMessage("TraceProfiler: option 'runtime' must be true or false, was 'maybe'");
        assertThatThrownBy(() -> new Runner(options("dirr=x").build()).run())
                .isInstanceOf(RunnerException.class)
                .cause().hasMessageContaining("unknown option 'dirr'").hasMessageContaining("dir=DIRECTORY")
                .hasMessageContaining("runtime=true|false").hasMessageContaining("flight=SECONDS");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).as("no fork ran").isLessThan(20);
    }

    /**
     * Every {@code op} task is a child of an iteration and within it; every {@code work} span
     * is on an op and within its iteration; every {@code setup} span is on an iteration.
     */
    private static void assertBenchmarkEventsInsideIterations(TraceModel model, List<TaskInfo> iterations) {
        Map<Long, TaskInfo> byId = iterations.stream().collect(Collectors.toMap(TaskInfo::id, Function.identity()));
        List<TaskInfo> ops = TraceModels.tasks(model, "op");
        assertThat(ops).isNotEmpty();
        for (TaskInfo op : ops) {
            TaskInfo it = byId.get(op.parentId());
            assertThat(it).as("the iteration of " + op).isNotNull();
            assertThat(op.start()).isGreaterThanOrEqualTo(it.start());
            assertThat(op.end()).isLessThanOrEqualTo(it.end());
        }
        Map<Long, TaskInfo> opsById = ops.stream().collect(Collectors.toMap(TaskInfo::id, Function.identity()));
        List<SpanInfo> work = TraceModels.spans(model, "work");
        assertThat(work).hasSameSizeAs(ops);
        for (SpanInfo span : work) {
            TaskInfo it = byId.get(opsById.get(span.taskId()).parentId());
            assertThat(span.start()).isGreaterThanOrEqualTo(it.start());
            assertThat(span.end()).isLessThanOrEqualTo(it.end());
        }
        assertThat(iterations).allSatisfy(it -> assertThat(ops).anyMatch(op -> op.parentId() == it.id()));
        List<SpanInfo> setup = TraceModels.spans(model, "setup");
        assertThat(setup).extracting(SpanInfo::taskId)
                .containsExactlyElementsOf(iterations.stream().map(TaskInfo::id).toList());
    }

    private static void assertGcPauseInEach(TraceModel model, List<TaskInfo> iterations) {
        List<RuntimeInfo> gcs = model.runtime().stream().filter(r -> r.kind() == RuntimeKind.GC_PAUSE).toList();
        for (TaskInfo it : iterations) {
            assertThat(gcs).as("runtime=true: the GC of the setup of " + it)
                    .anyMatch(g -> g.time() >= it.start() && g.end() <= it.end());
        }
    }

    private static List<TaskInfo> iterations(TraceModel model) {
        return TraceModels.tasks(model, "iteration").stream().sorted(Comparator.comparingLong(TaskInfo::start)).toList();
    }

    private static List<String> traces(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.delete(p);
        }
    }
}
