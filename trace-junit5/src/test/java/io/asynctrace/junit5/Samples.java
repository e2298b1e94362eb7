package io.asynctrace.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.TraceModels;
import io.asynctrace.testing.Work;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Test classes that {@link TraceExtensionTest} runs with the EngineTestKit, so that
 * their failures are data. They skip themselves anywhere else (an IDE running every
 * class), and surefire does not pick nested classes.
 */
final class Samples {
    /** Configuration parameter that enables the samples. */
    static final String GATE = "asynctrace.junit5.samples";
    /** Each class of {@link ParallelA} and {@link ParallelB} waits for the other to have begun a test. */
    static volatile CountDownLatch meet = new CountDownLatch(2);

    private Samples() {
    }

    static final class OnlyFromTraceExtensionTest implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(GATE).isPresent()
                    ? ConditionEvaluationResult.enabled("run by TraceExtensionTest")
                    : ConditionEvaluationResult.disabled("a sample for TraceExtensionTest");
        }
    }

    /** Passing, failing, aborted and timed-out tests; spans and logs here and on an executor thread. */
    @Traced
    @ExtendWith(OnlyFromTraceExtensionTest.class)
    static class Mixed {
        @BeforeAll
        static void setUpClass() {
            Trace.log("setup", "class");
        }

        @BeforeEach
        void setUp() {
            Trace.log("setup", "test");
        }

        @AfterEach
        void tearDown() {
            Trace.withSpan("tearDown", () -> Work.sleep(1));
        }

        @Test
        void passes() {
            Trace.withSpan("work", () -> Work.sleep(5));
            Trace.log("step", "passes ran");
        }

        @Test
        void fails() {
            Trace.log("step", "fails ran");
            throw new IllegalStateException("boom");
        }

        @Test
        void isAborted() {
            assumeTrue(false, "not here");
        }

        @Test
        @Timeout(value = 200, unit = TimeUnit.MILLISECONDS)
        void timesOut() {
            Trace.withSpan("sleep", () -> Work.sleep(10_000));
        }

        @Test
        void usesAnExecutor() throws Exception {
            Task test = Trace.currentTask();
            ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "sample-worker"));
            try {
                long job = Trace.jobQueued();
                pool.submit(() -> {
                    Trace.jobStarted(job);
                    try (Scope s = test.makeCurrent()) {
                        Trace.withSpan("onWorker", () -> Trace.log("worker", "hello from the pool"));
                        try (Task sub = Trace.newTask("sub")) {
                            sub.log("sub", "a child of the test");
                        }
                    } finally {
                        Trace.jobFinished(job);
                    }
                }).get(5, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            Trace.newTask("stray", null).end(); // a root task: not the class's
            Trace.startDetachedSpan("detached").end();
        }
    }

    /** A test that records a trace of its own with Trace.start. */
    @Traced
    @ExtendWith(OnlyFromTraceExtensionTest.class)
    static class SelfRecording {
        @Test
        void recordsItsOwnTrace() throws Exception {
            ByteArrayOutputStream own = new ByteArrayOutputStream();
            Trace.start(own);
            Trace.withSpan("own", () -> Work.sleep(1));
            Trace.stop();
            TraceModel model = TraceModels.read(own.toByteArray());
            assertThat(model.complete()).isTrue();
            assertThat(model.spans()).anySatisfy(s -> assertThat(s.name()).isEqualTo("own"));
            // The span belongs to the extension's test task (when the extension records): a file attached
            // mid-way has the begin of every task it sees, and nothing else of the extension's.
            assertThat(model.tasks()).as("the extension's own events stay out of the test's recording")
                    .extracting(TaskInfo::type).doesNotContain("class").allMatch("test"::equals);
            assertThat(model.logs()).isEmpty();
            Trace.log("step", "after its own recording");
        }
    }

    /** A nested class: a file of its own, and part of its enclosing class's file. */
    @Traced
    @ExtendWith(OnlyFromTraceExtensionTest.class)
    static class Outer {
        @Test
        void outerTest() {
            Trace.log("outer", "ran");
        }

        @Nested
        class Inner {
            @Test
            void innerTest() {
                Trace.withSpan("inner", () -> Work.sleep(1));
            }
        }
    }

    /** Not annotated: recorded only through auto-detection and the directory property. */
    @ExtendWith(OnlyFromTraceExtensionTest.class)
    static class Plain {
        @Test
        void runs() {
            Trace.withSpan("plain", () -> Work.sleep(1));
        }
    }

    /** Runs in parallel with {@link ParallelB}, methods too. */
    @Traced
    @ExtendWith(OnlyFromTraceExtensionTest.class)
    static class ParallelA {
        @Test
        void meets() {
            meetTheOtherClass("a");
        }

        @Test
        void one() {
            work("a", "one");
        }

        @Test
        void two() {
            work("a", "two");
        }

        @Test
        void three() {
            work("a", "three");
        }
    }

    /** Runs in parallel with {@link ParallelA}, methods too. */
    @Traced
    @ExtendWith(OnlyFromTraceExtensionTest.class)
    static class ParallelB {
        @Test
        void meets() {
            meetTheOtherClass("b");
        }

        @Test
        void one() {
            work("b", "one");
        }

        @Test
        void two() {
            work("b", "two");
        }

        @Test
        void three() {
            work("b", "three");
        }
    }

    private static void meetTheOtherClass(String prefix) {
        Trace.withSpan(prefix + "-meet", () -> {
            meet.countDown();
            try {
                assertThat(meet.await(10, TimeUnit.SECONDS)).as("the other class runs at the same time").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Trace.log(prefix, "meets");
    }

    private static void work(String prefix, String method) {
        for (int i = 0; i < 3; i++) {
            Trace.withSpan(prefix + "-work", () -> Work.sleep(5));
        }
        Trace.log(prefix, method);
    }
}
