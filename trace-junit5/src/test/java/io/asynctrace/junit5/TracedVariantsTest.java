package io.asynctrace.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.asynctrace.Trace;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.TraceModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The documented cases TraceExtensionTest does not cover: {@code @Traced(dir)} over the
 * property, {@code @Traced} inherited by a subclass, parameterized, repeated and
 * factory tests, and a class whose setup fails.
 */
class TracedVariantsTest {
    /** Relative to the working directory (the module, under Maven). */
    static final String OWN_DIR = "target/asynctrace-traced-dir-test";

    @TempDir
    Path dir;

    private EngineExecutionResults run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").configurationParameter(Samples.GATE, "true")
                .configurationParameter(TraceExtension.DIR_PROPERTY, dir.toString())
                .selectors(selectClass(sample)).execute();
    }

    private static TraceModel read(Path file) {
        assertThat(file).exists();
        return TraceModels.assertWhole(TraceModels.read(file));
    }

    private static List<TaskInfo> tests(TraceModel m) {
        return TraceModels.tasks(m, "test").stream().sorted(Comparator.comparing(TaskInfo::start))
                .collect(Collectors.toList());
    }

    @Traced(dir = OWN_DIR)
    @ExtendWith(Samples.OnlyFromTraceExtensionTest.class)
    static class OwnDirectory {
        @Test
        void runs() {
            Trace.log("where", "own directory");
        }
    }

    @Test
    void theAnnotationsDirectoryWinsOverTheProperty() throws IOException {
        Path expected = Path.of(OWN_DIR, OwnDirectory.class.getName() + ".trace");
        Files.deleteIfExists(expected);
        run(OwnDirectory.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("nothing in the property's directory").isEmpty();
        }
        assertThat(read(expected).logs()).extracting(l -> l.message()).containsExactly("own directory");
        Files.delete(expected);
    }

    @Traced
    abstract static class TracedBase {
        @Test
        void inherited() {
            Trace.withSpan("inherited", () -> { });
        }
    }

    @ExtendWith(Samples.OnlyFromTraceExtensionTest.class)
    static class Subclass extends TracedBase {
        @Test
        void own() {
            Trace.withSpan("own", () -> { });
        }
    }

    @Test
    void aSubclassOfATracedClassIsTracedUnderItsOwnName() {
        run(Subclass.class).testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        TraceModel m = read(dir.resolve(Subclass.class.getName() + ".trace"));
        assertThat(TraceModels.onlyTask(m, "class").attributes()).containsEntry("class", Subclass.class.getName());
        assertThat(tests(m)).extracting(t -> t.attributes().get("method")).containsExactlyInAnyOrder("inherited", "own");
        for (TaskInfo t : tests(m)) {
            assertThat(TraceModels.spansOf(m, t.id())).extracting(SpanInfo::name)
                    .containsExactly(t.attributes().get("method"));
        }
    }

    @Traced
    @ExtendWith(Samples.OnlyFromTraceExtensionTest.class)
    static class Invocations {
        @ParameterizedTest
        @ValueSource(strings = {"a", "b", "c"})
        void parameterized(String value) {
            Trace.log("value", value);
        }

        @RepeatedTest(2)
        void repeated() {
            Trace.withSpan("repetition", () -> { });
        }

        @TestFactory
        Stream<DynamicTest> factory() {
            return Stream.of("x", "y").map(n -> DynamicTest.dynamicTest("dynamic " + n,
                    () -> Trace.withSpan("dynamic-" + n, () -> { })));
        }
    }

    @Test
    void eachInvocationOfAParameterizedOrRepeatedTestIsATaskAndDynamicTestsRunInTheirFactorysTask() {
        run(Invocations.class).testEvents().assertStatistics(s -> s.started(7).succeeded(7));
        TraceModel m = read(dir.resolve(Invocations.class.getName() + ".trace"));
        List<TaskInfo> tests = tests(m);
        List<TaskInfo> parameterized = tests.stream().filter(t -> "parameterized".equals(t.attributes().get("method")))
                .collect(Collectors.toList());
        assertThat(parameterized).hasSize(3).allSatisfy(t -> assertThat(t.outcome()).isEqualTo("passed"));
        assertThat(parameterized).extracting(t -> t.attributes().get("name"))
                .containsExactlyInAnyOrder("[1] a", "[2] b", "[3] c");
        for (TaskInfo t : parameterized) {
            String value = t.attributes().get("name").substring(4);
            assertThat(TraceModels.logsOf(m, t.id())).extracting(l -> l.message()).containsExactly(value);
        }
        List<TaskInfo> repeated = tests.stream().filter(t -> "repeated".equals(t.attributes().get("method")))
                .collect(Collectors.toList());
        assertThat(repeated).hasSize(2).allSatisfy(t -> assertThat(TraceModels.spansOf(m, t.id())).hasSize(1));
        TaskInfo factory = tests.stream().filter(t -> "factory".equals(t.attributes().get("method")))
                .collect(Collectors.collectingAndThen(Collectors.toList(), l -> {
                    assertThat(l).as("one task for the factory").hasSize(1);
                    return l.get(0);
                }));
        assertThat(TraceModels.spansOf(m, factory.id())).extracting(SpanInfo::name)
                .containsExactlyInAnyOrder("dynamic-x", "dynamic-y");
    }

    @Traced
    @ExtendWith(Samples.OnlyFromTraceExtensionTest.class)
    static class FailingSetup {
        @BeforeAll
        static void setUpClass() {
            Trace.log("setup", "about to fail");
            throw new IllegalStateException("no database");
        }

        @Test
        void neverRuns() {
            Trace.log("test", "ran");
        }
    }

    @Test
    void aClassWhoseSetupFailsStillGetsItsFileWithTheClassTaskFailed() {
        EngineExecutionResults results = run(FailingSetup.class);
        results.containerEvents().assertStatistics(s -> s.failed(1));
        results.testEvents().assertStatistics(s -> s.started(0));
        TraceModel m = read(dir.resolve(FailingSetup.class.getName() + ".trace"));
        TaskInfo cls = TraceModels.onlyTask(m, "class");
        assertThat(cls.outcome()).isEqualTo("failed");
        assertThat(TraceModels.tasks(m, "test")).isEmpty();
        assertThat(TraceModels.logsOf(m, cls.id())).extracting(l -> l.message()).contains("about to fail");
    }
}
