package io.asynctrace.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.asynctrace.FlightRecorder;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

class TraceExtensionTest {
    @TempDir
    Path dir;

    @AfterEach
    void nothingLeftRunning() {
        assertThat(FlightRecorder.running()).as("the extension stops its flight recorder after the run").isNull();
    }

    private EngineTestKit.Builder engine(Class<?>... classes) {
        EngineTestKit.Builder b = EngineTestKit.engine("junit-jupiter").configurationParameter(Samples.GATE, "true");
        for (Class<?> c : classes) {
            b = b.selectors(selectClass(c));
        }
        return b;
    }

    private static TraceModel read(Path file) throws IOException {
        assertThat(file).exists();
        TraceModel model = TraceModel.read(file);
        assertThat(model.complete()).as("complete: %s", file).isTrue();
        assertThat(model.truncated()).isFalse();
        return model;
    }

    private static Map<String, TaskInfo> testsByMethod(TraceModel model) {
        return model.tasks().stream().filter(t -> "test".equals(t.type()))
                .collect(Collectors.toMap(t -> t.attributes().get("method"), Function.identity()));
    }

    private static List<String> reports(EngineExecutionResults results, String key) {
        return results.allEvents().reportingEntryPublished().stream()
                .flatMap(e -> e.getPayload(ReportEntry.class).stream())
                .flatMap(r -> r.getKeyValuePairs().entrySet().stream())
                .filter(kv -> kv.getKey().equals(key)).map(Map.Entry::getValue).collect(Collectors.toList());
    }

    @Test
    void eachTestIsATaskWithItsOutcomeSpansAndLogs() throws IOException {
        EngineExecutionResults results = engine(Samples.Mixed.class)
                .configurationParameter(TraceExtension.DIR_PROPERTY, dir.toString()).execute();
        results.testEvents().assertStatistics(s -> s.started(5).succeeded(2).failed(2).aborted(1));

        Path file = dir.resolve(Samples.Mixed.class.getName() + ".trace");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly(file.getFileName().toString());
        assertThat(reports(results, TraceExtension.REPORT_KEY)).containsExactly(file.toAbsolutePath().toString());
        TraceModel model = read(file);

        TaskInfo cls = model.tasks().stream().filter(t -> "class".equals(t.type())).collect(single());
        assertThat(cls.attributes()).containsEntry("class", Samples.Mixed.class.getName())
                .containsEntry("tests", "5").containsEntry("failed", "2");
        assertThat(cls.outcome()).isEqualTo("failed");
        assertThat(cls.parentId()).isZero();

        Map<String, TaskInfo> tests = testsByMethod(model);
        assertThat(tests).containsOnlyKeys("passes", "fails", "isAborted", "timesOut", "usesAnExecutor");
        assertThat(tests.values()).allSatisfy(t -> {
            assertThat(t.parentId()).isEqualTo(cls.id());
            assertThat(t.complete()).isTrue();
            assertThat(t.duration()).isPositive();
            assertThat(t.attributes()).containsEntry("class", Samples.Mixed.class.getName())
                    .containsEntry("name", t.attributes().get("method") + "()");
        });
        assertThat(tests.get("passes").outcome()).isEqualTo("passed");
        assertThat(tests.get("usesAnExecutor").outcome()).isEqualTo("passed");
        assertThat(tests.get("isAborted").outcome()).isEqualTo("aborted");
        assertThat(tests.get("fails").outcome()).isEqualTo("failed");
        assertThat(tests.get("fails").attributes()).containsEntry("exception", IllegalStateException.class.getName());
        assertThat(tests.get("timesOut").outcome()).isEqualTo("failed");
        assertThat(tests.get("timesOut").attributes())
                .containsEntry("exception", java.util.concurrent.TimeoutException.class.getName());
        // At least the 200 ms timeout, and less than the 10 s sleep the test would have taken:
        // the timeout, not the sleep, ended it (no margin that load can eat).
        assertThat(tests.get("timesOut").duration()).isBetween(Duration.ofMillis(150).toNanos(), Duration.ofSeconds(10).toNanos() - 1);

        // Spans and logs land on the test that made them, @BeforeAll's on the class, the worker's too.
        Map<String, List<Long>> spanTasks = model.spans().stream()
                .collect(Collectors.groupingBy(SpanInfo::name, Collectors.mapping(SpanInfo::taskId, Collectors.toList())));
        assertThat(spanTasks).containsOnlyKeys("work", "sleep", "onWorker", "tearDown");
        assertThat(spanTasks.get("work")).containsExactly(tests.get("passes").id());
        assertThat(spanTasks.get("sleep")).containsExactly(tests.get("timesOut").id());
        assertThat(spanTasks.get("onWorker")).containsExactly(tests.get("usesAnExecutor").id());
        assertThat(spanTasks.get("tearDown")).hasSize(5);
        assertThat(model.spans()).allSatisfy(s -> assertThat(s.hasStart() && s.hasEnd()).isTrue());
        assertThat(model.logs()).filteredOn(l -> l.category().equals("setup") && l.message().equals("class"))
                .singleElement().extracting(LogInfo::taskId).isEqualTo(cls.id());
        assertThat(model.logs()).filteredOn(l -> l.category().equals("setup") && l.message().equals("test")).hasSize(5);
        assertThat(model.logs()).filteredOn(l -> l.category().equals("step"))
                .extracting(LogInfo::message, LogInfo::taskId)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("passes ran", tests.get("passes").id()),
                        org.assertj.core.groups.Tuple.tuple("fails ran", tests.get("fails").id()));
        assertThat(model.logs()).filteredOn(l -> l.category().equals("failure"))
                .extracting(LogInfo::taskId, LogInfo::message).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(tests.get("fails").id(), "java.lang.IllegalStateException: boom"),
                        org.assertj.core.groups.Tuple.tuple(tests.get("timesOut").id(),
                                "java.util.concurrent.TimeoutException: timesOut() timed out after 200 milliseconds"));

        // The executor thread: its job, its name, the task created there; not the stray root task.
        LogInfo worker = model.logs().stream().filter(l -> l.category().equals("worker")).collect(single());
        assertThat(model.threads()).containsEntry(worker.thread(), "sample-worker");
        assertThat(model.jobs()).singleElement().satisfies(j -> {
            assertThat(j.taskId()).isEqualTo(tests.get("usesAnExecutor").id());
            assertThat(j.hasStarted() && j.hasFinished()).isTrue();
        });
        TaskInfo sub = model.tasks().stream().filter(t -> "sub".equals(t.type())).collect(single());
        assertThat(sub.parentId()).isEqualTo(tests.get("usesAnExecutor").id());
        assertThat(model.logs()).anySatisfy(l -> assertThat(l.taskId()).isEqualTo(sub.id()));
        assertThat(model.tasks()).extracting(TaskInfo::type).containsOnly("class", "test", "sub").doesNotContain("stray");
        assertThat(model.dropped()).isZero();
    }

    @Test
    void testsThatStartTheirOwnRecordingStillWork() throws IOException {
        EngineExecutionResults results = engine(Samples.SelfRecording.class)
                .configurationParameter(TraceExtension.DIR_PROPERTY, dir.toString()).execute();
        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        TraceModel model = read(dir.resolve(Samples.SelfRecording.class.getName() + ".trace"));
        TaskInfo test = testsByMethod(model).get("recordsItsOwnTrace");
        assertThat(test.outcome()).isEqualTo("passed");
        assertThat(model.spans()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("own");
            assertThat(s.taskId()).isEqualTo(test.id());
        });
        assertThat(model.logs()).extracting(LogInfo::message).containsExactly("after its own recording");
    }

    @Test
    void parallelClassesAndMethodsGetOneFileEachWithOnlyTheirTasks() throws IOException {
        Samples.meet = new CountDownLatch(2);
        EngineExecutionResults results = engine(Samples.ParallelA.class, Samples.ParallelB.class)
                .configurationParameter(TraceExtension.DIR_PROPERTY, dir.toString())
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
                .execute();
        results.testEvents().assertStatistics(s -> s.started(8).succeeded(8));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    Samples.ParallelA.class.getName() + ".trace", Samples.ParallelB.class.getName() + ".trace");
        }
        TraceModel a = read(dir.resolve(Samples.ParallelA.class.getName() + ".trace"));
        TraceModel b = read(dir.resolve(Samples.ParallelB.class.getName() + ".trace"));
        for (Object[] c : new Object[][] {{a, "a", Samples.ParallelA.class}, {b, "b", Samples.ParallelB.class}}) {
            TraceModel model = (TraceModel) c[0];
            String prefix = (String) c[1];
            String name = ((Class<?>) c[2]).getName();
            assertThat(model.tasks()).filteredOn(t -> "class".equals(t.type())).singleElement()
                    .satisfies(t -> assertThat(t.attributes()).containsEntry("class", name));
            Map<String, TaskInfo> tests = testsByMethod(model);
            assertThat(tests).containsOnlyKeys("meets", "one", "two", "three");
            assertThat(tests.values()).allSatisfy(t -> {
                assertThat(t.outcome()).isEqualTo("passed");
                assertThat(t.duration()).isPositive();
                assertThat(t.attributes()).containsEntry("class", name);
            });
            assertThat(model.spans()).extracting(SpanInfo::name).containsOnly(prefix + "-work", prefix + "-meet").hasSize(10);
            // Each method's spans and log are on its own task, though the methods ran concurrently.
            for (String method : List.of("one", "two", "three")) {
                long id = tests.get(method).id();
                assertThat(model.spans()).filteredOn(s -> s.taskId() == id).hasSize(3);
                assertThat(model.logs()).filteredOn(l -> l.taskId() == id).extracting(LogInfo::message).containsExactly(method);
            }
            assertThat(model.logs()).extracting(LogInfo::category).containsOnly(prefix);
        }
        // The classes did run at the same time: their "meets" tests overlap.
        TaskInfo meetA = testsByMethod(a).get("meets");
        TaskInfo meetB = testsByMethod(b).get("meets");
        assertThat(a.header()).isEqualTo(b.header()); // one recording, one time base
        assertThat(meetA.start()).isLessThan(meetB.end());
        assertThat(meetB.start()).isLessThan(meetA.end());
    }

    @Test
    void aNestedClassHasItsOwnFileAndIsPartOfItsEnclosingClasssFile() throws IOException {
        EngineExecutionResults results = engine(Samples.Outer.class)
                .configurationParameter(TraceExtension.DIR_PROPERTY, dir.toString()).execute();
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        TraceModel outer = read(dir.resolve(Samples.Outer.class.getName() + ".trace"));
        TraceModel inner = read(dir.resolve(Samples.Outer.Inner.class.getName() + ".trace"));

        TaskInfo outerClass = outer.tasks().stream().filter(t -> t.parentId() == 0).collect(single());
        assertThat(outerClass.attributes()).containsEntry("class", Samples.Outer.class.getName());
        TaskInfo innerClass = outer.tasks().stream()
                .filter(t -> Samples.Outer.Inner.class.getName().equals(t.attributes().get("class")) && "class".equals(t.type()))
                .collect(single());
        assertThat(innerClass.parentId()).isEqualTo(outerClass.id());
        assertThat(testsByMethod(outer)).containsOnlyKeys("outerTest", "innerTest");
        assertThat(testsByMethod(outer).get("innerTest").parentId()).isEqualTo(innerClass.id());

        assertThat(inner.tasks()).extracting(TaskInfo::type).containsExactlyInAnyOrder("class", "test");
        assertThat(inner.task(innerClass.id()).parentId()).isZero();
        assertThat(testsByMethod(inner)).containsOnlyKeys("innerTest");
        assertThat(inner.spans()).extracting(SpanInfo::name).containsExactly("inner");
        assertThat(inner.logs()).isEmpty();
    }

    @Test
    void autoDetectedTheExtensionRecordsOnlyWhenTheDirectoryIsSet() throws IOException {
        EngineExecutionResults on = engine(Samples.Plain.class)
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter(TraceExtension.DIR_PROPERTY, dir.toString()).execute();
        on.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        TraceModel model = read(dir.resolve(Samples.Plain.class.getName() + ".trace"));
        assertThat(testsByMethod(model)).containsOnlyKeys("runs");
        assertThat(model.spans()).extracting(SpanInfo::name).containsExactly("plain");

        Path defaultFile = Path.of(TraceExtension.DEFAULT_DIR, Samples.Plain.class.getName() + ".trace");
        Files.deleteIfExists(defaultFile);
        EngineExecutionResults off = engine(Samples.Plain.class)
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true").execute();
        off.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertThat(reports(off, TraceExtension.REPORT_KEY)).isEmpty();
        assertThat(defaultFile).doesNotExist();
    }

    @Test
    void recordsNothingWhenTheCodeUnderTestRunsItsOwnFlightRecorder() throws IOException {
        FlightRecorder theirs = new FlightRecorder(Duration.ofSeconds(1), 1 << 20);
        theirs.start();
        try {
            EngineExecutionResults results = engine(Samples.SelfRecording.class, Samples.Plain.class)
                    .configurationParameter(TraceExtension.DIR_PROPERTY, dir.toString()).execute();
            results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
            assertThat(reports(results, TraceExtension.REPORT_KEY)).singleElement()
                    .satisfies(r -> assertThat(r).startsWith("not recorded: another flight recorder"));
            assertThat(FlightRecorder.running()).isSameAs(theirs);
        } finally {
            theirs.stop();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aMalformedMaxBytesFailsTheClass() {
        EngineExecutionResults results = engine(Samples.SelfRecording.class)
                .configurationParameter(TraceExtension.DIR_PROPERTY, dir.toString())
                .configurationParameter(TraceExtension.MAX_BYTES_PROPERTY, "lots").execute();
        results.containerEvents().assertStatistics(s -> s.failed(1));
        results.testEvents().assertStatistics(s -> s.started(0));
        assertThat(results.containerEvents().failed().stream().flatMap(e -> e.getPayload(
                org.junit.platform.engine.TestExecutionResult.class).stream()).flatMap(r -> r.getThrowable().stream()))
                .singleElement().satisfies(t -> assertThat(t).hasMessageContaining(TraceExtension.MAX_BYTES_PROPERTY));
    }

    private static <T> java.util.stream.Collector<T, ?, T> single() {
        return Collectors.collectingAndThen(Collectors.toList(), l -> {
            assertThat(l).hasSize(1);
            return l.get(0);
        });
    }
}
