package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.StackFrame;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link StackCapture}'s cache of stacks by (class, bytecode index) gives each event the
 * stack a fresh default {@link StackWalker} walk gives, where call sites repeat and where
 * one (class, bytecode index) sequence could stand for two stacks: lambdas, method handles,
 * reflection, class initializers, overloads, the depth bound, more stacks than it holds.
 * Each log's expected stack is walked on the same line as the {@code Trace.log}. Tagged
 * {@code java21} so that it runs on Java 25 too, where a method's descriptor is not free
 * and the capture differs.
 */
@Tag("java21")
@ExtendWith(NoLeftovers.class)
class StackCaptureTest {
    private static final int DEPTH = 64;
    private static final Map<String, CallStack> EXPECTED = new HashMap<>();
    private static int depth = DEPTH;

    @Test
    void aRepeatedCallSiteGivesItsStackEveryTime() {
        TraceModel m = record(DEPTH, () -> {
            for (int i = 0; i < 5; i++) {
                Trace.log("site", "repeat-" + i); expect("repeat-" + i);
            }
        });
        assertStacksAsExpected(m, 5);
        assertThat(m.logs().stream().map(LogInfo::stack).distinct()).hasSize(1);
    }

    @Test
    void twoLambdasOfOneClassRunFromOneCallSiteKeepTheirOwnStacks() {
        Runnable a = () -> { Trace.log("site", "lambda-a-" + round()); expect("lambda-a-" + round()); };
        Runnable b = () -> { Trace.log("site", "lambda-b-" + round()); expect("lambda-b-" + round()); };
        TraceModel m = record(DEPTH, () -> {
            for (int i = 0; i < 3; i++) {
                for (Runnable r : List.of(a, b)) {
                    run(r);
                }
                nextRound();
            }
        });
        assertStacksAsExpected(m, 6);
        assertThat(frame0("lambda-a-0", m).method()).isNotEqualTo(frame0("lambda-b-0", m).method());
    }

    @Test
    void methodsCalledThroughMethodHandlesFromOneCallSiteKeepTheirOwnStacks() throws Throwable {
        MethodType type = MethodType.methodType(void.class);
        MethodHandle a = MethodHandles.lookup().findStatic(StackCaptureTest.class, "handleA", type);
        MethodHandle b = MethodHandles.lookup().findStatic(StackCaptureTest.class, "handleB", type);
        TraceModel m = record(DEPTH, () -> {
            for (int i = 0; i < 3; i++) {
                for (MethodHandle h : List.of(a, b)) {
                    try {
                        h.invokeExact();
                    } catch (Throwable e) {
                        throw new AssertionError(e);
                    }
                }
                nextRound();
            }
        });
        assertStacksAsExpected(m, 6);
        assertThat(frame0("handle-a-0", m).method()).isEqualTo("handleA");
        assertThat(frame0("handle-b-2", m).method()).isEqualTo("handleB");
    }

    @Test
    void methodsCalledByReflectionFromOneCallSiteKeepTheirOwnStacks() throws Exception {
        Method a = StackCaptureTest.class.getDeclaredMethod("handleA");
        Method b = StackCaptureTest.class.getDeclaredMethod("handleB");
        // More calls than the JDK makes before it generates a reflection accessor (15 on Java 17).
        TraceModel m = record(DEPTH, () -> {
            for (int i = 0; i < 20; i++) {
                for (Method method : List.of(a, b)) {
                    try {
                        method.invoke(null);
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError(e);
                    }
                }
                nextRound();
            }
        });
        assertStacksAsExpected(m, 40);
        assertThat(frame0("handle-a-19", m).method()).isEqualTo("handleA");
        assertThat(frame0("handle-b-19", m).method()).isEqualTo("handleB");
    }

    @Test
    void aClassInitializerAndTheMethodItsFirstCallRanBeforeAreTwoStacks() {
        TraceModel m = record(DEPTH, () -> {
            for (int i = 0; i < 3; i++) {
                Initialized.log(); // the first call runs Initialized's static initializer first
                nextRound();
            }
        });
        assertStacksAsExpected(m, 4);
        assertThat(frame0("clinit-0", m).method()).isEqualTo("<clinit>");
        assertThat(frame0("static-0", m).method()).isEqualTo("log");
        assertThat(frame0("static-1", m)).isEqualTo(frame0("static-0", m));
    }

    @Test
    void overloadsCalledByReflectionFromOneCallSiteKeepTheirLines() throws Exception {
        assumeTrue(Runtime.version().feature() < 22, "on Java 22 and later two overloads reached at the same bytecode"
                + " index through one reflective or method-handle call site may share a stack (StackCapture's javadoc)");
        Method a = StackCaptureTest.class.getDeclaredMethod("overload", String.class);
        Method b = StackCaptureTest.class.getDeclaredMethod("overload", Integer.class);
        // Fewer calls than the JDK makes before it generates a reflection accessor: all through one native frame.
        TraceModel m = record(DEPTH, () -> {
            for (int i = 0; i < 3; i++) {
                try {
                    a.invoke(null, "s" + i);
                    b.invoke(null, i);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        });
        assertStacksAsExpected(m, 6);
        assertThat(frame0("overload-s0", m).line()).isNotEqualTo(frame0("overload-0", m).line());
    }

    @Test
    void stacksThatDifferOnlyBeyondTheDepthAreOneAndThoseThatDifferWithinItAreTwo() {
        TraceModel m = record(3, () -> {
            for (int i = 0; i < 3; i++) {
                viaOne();
                viaTwo();
                nextRound();
            }
        });
        assertStacksAsExpected(m, 12);
        assertThat(m.logs()).allMatch(l -> l.stack().size() == 3 && l.stack().truncated());
        // viaOne and viaTwo call deep(3, tag) and deep(2, tag): the first three frames are the same
        assertThat(stack("one-deep-0", m)).isEqualTo(stack("two-deep-0", m));
        // ... and deep(1, tag) and deep(0, tag): the third frame is viaOne's or viaTwo's
        assertThat(stack("one-shallow-0", m)).isNotEqualTo(stack("two-shallow-0", m));
    }

    @Test
    void aVirtualThreadsStacksAreRight() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21+; run by the java25 execution");
        ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                .invoke(null);
        try {
            TraceModel m = record(DEPTH, () -> Await.value("the virtual thread's logs", virtual.submit(() -> {
                for (int i = 0; i < 3; i++) {
                    viaOne();
                    viaTwo();
                    nextRound();
                }
            })));
            assertStacksAsExpected(m, 12);
        } finally {
            virtual.shutdown();
        }
    }

    @Test
    void moreDistinctStacksThanTheCacheHoldsAreEachRight() {
        int sites = 300;
        TraceModel m = record(DEPTH, () -> {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < sites; i++) {
                    recurse(i % 60, i / 60, i);
                }
                nextRound();
            }
        });
        assertStacksAsExpected(m, 2 * sites);
        assertThat(m.logs().stream().map(LogInfo::stack).distinct()).hasSize(sites);
    }

    // ---- the code whose stacks are taken

    private static int round;

    private static int round() {
        return round;
    }

    private static void nextRound() {
        round++;
    }

    private static void run(Runnable r) {
        r.run();
    }

    private static void handleA() {
        Trace.log("site", "handle-a-" + round()); expect("handle-a-" + round());
    }

    private static void handleB() {
        Trace.log("site", "handle-b-" + round()); expect("handle-b-" + round());
    }

    private static void overload(String s) {
        Trace.log("site", "overload-" + s); expect("overload-" + s);
    }

    private static void overload(Integer i) {
        Trace.log("site", "overload-" + i); expect("overload-" + i);
    }

    private static final class Initialized {
        static {
            // the same bytecode as log()'s, so the two differ only in the method
            Trace.log("site", "clinit-" + round()); expect("clinit-" + round());
        }

        static void log() {
            Trace.log("site", "static-" + round()); expect("static-" + round());
        }
    }

    private static void viaOne() {
        deep(3, "one-deep-" + round());
        deep(1, "one-shallow-" + round());
    }

    private static void viaTwo() {
        deep(3, "two-deep-" + round());
        deep(1, "two-shallow-" + round());
    }

    private static void deep(int frames, String tag) {
        if (frames > 0) {
            deep(frames - 1, tag);
            return;
        }
        Trace.log("site", tag); expect(tag);
    }

    private static void recurse(int frames, int site, int id) {
        if (frames > 0) {
            recurse(frames - 1, site, id);
            return;
        }
        String tag = "site-" + id + "-" + round();
        switch (site) {
            case 0 -> { Trace.log("site", tag + "-a"); expect(tag + "-a"); }
            case 1 -> { Trace.log("site", tag + "-b"); expect(tag + "-b"); }
            case 2 -> { Trace.log("site", tag + "-c"); expect(tag + "-c"); }
            case 3 -> { Trace.log("site", tag + "-d"); expect(tag + "-d"); }
            default -> { Trace.log("site", tag + "-e"); expect(tag + "-e"); }
        }
    }

    // ---- the expected stacks and the checks

    /** Records the stack a default walk gives its caller, at the depth of the recording, under {@code tag}. */
    private static void expect(String tag) {
        int d = depth;
        CallStack stack = StackWalker.getInstance().walk(s -> {
            List<StackWalker.StackFrame> walked = s.skip(1).limit(d + 1L).collect(Collectors.toList());
            List<StackFrame> kept = walked.stream().limit(d).map(f -> new StackFrame(f.getClassName(),
                    f.getMethodName(), f.getFileName() == null ? "" : f.getFileName(), f.getLineNumber())).toList();
            return CallStack.of(kept, walked.size() > d);
        });
        EXPECTED.put(tag, stack);
    }

    private static TraceModel record(int stackDepth, Runnable work) {
        EXPECTED.clear();
        round = 0;
        depth = stackDepth;
        Recording rec = Recording.start(TraceOptions.defaults().withStackDepth(stackDepth));
        try {
            work.run();
        } finally {
            depth = DEPTH;
        }
        return rec.stop();
    }

    private static void assertStacksAsExpected(TraceModel m, int logs) {
        assertThat(m.logs()).hasSize(logs);
        for (LogInfo l : m.logs()) {
            assertThat(l.stack()).as("the stack of %s", l.message()).isEqualTo(EXPECTED.get(l.message()));
        }
    }

    private static CallStack stack(String tag, TraceModel m) {
        return m.logs().stream().filter(l -> l.message().equals(tag)).findFirst().orElseThrow().stack();
    }

    private static StackFrame frame0(String tag, TraceModel m) {
        return stack(tag, m).frame(0);
    }
}
