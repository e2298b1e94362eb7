package io.asynctrace.junit5;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * A JUnit Jupiter extension that writes one trace file per test class, like
 * {@code go test -trace}: {@code <dir>/<fully.qualified.ClassName>.trace}, which
 * {@code asynctrace summary} and {@code asynctrace tasks --type test} read.
 *
 * <pre>{@code
 * @ExtendWith(TraceExtension.class)   // or @Traced, or @Traced(dir = "build/traces")
 * class OrderServiceTest {
 *     @Test
 *     void placesAnOrder() {
 *         try (Task order = Trace.newTask("order"); Scope s = order.makeCurrent()) {
 *             Trace.withSpan("place", () -> service.place(order()));
 *         }
 *     }
 * }
 * }</pre>
 *
 * <h2>Activation</h2>
 * <ul>
 *   <li>{@link Traced @Traced} or {@code @ExtendWith(TraceExtension.class)} on the class
 *       (or a superclass, or the enclosing class of a {@code @Nested} class): the class
 *       is recorded.</li>
 *   <li>For a whole run, without touching the tests: set the {@value #DIR_PROPERTY}
 *       system property or JUnit configuration parameter and enable JUnit's extension
 *       auto-detection ({@code junit.jupiter.extensions.autodetection.enabled=true});
 *       this module registers the extension in
 *       {@code META-INF/services/org.junit.jupiter.api.extension.Extension}. Auto-detected,
 *       the extension records only the classes above, or every class when
 *       {@value #DIR_PROPERTY} is set.</li>
 *   <li>The directory: {@link Traced#dir()} if given, else {@value #DIR_PROPERTY}, else
 *       {@value #DEFAULT_DIR}. A file of the same name is replaced.</li>
 * </ul>
 *
 * <h2>What is recorded</h2>
 * <ul>
 *   <li>The class is a root task of type {@code "class"} (attribute {@code class}), from
 *       before its {@code @BeforeAll} methods to after its {@code @AfterAll} methods; it
 *       ends {@code "failed"} if a test or the class's own setup failed, else
 *       {@code "passed"} (or {@code "aborted"} when the class's setup was).</li>
 *   <li>Each test (each invocation of a parameterized or repeated test) is a child task
 *       of type {@code "test"} with attributes {@code class}, {@code method} and
 *       {@code name} (the display name), from before its {@code @BeforeEach} methods to
 *       after its {@code @AfterEach} methods. It is the current task of the thread that
 *       runs each of those methods (and the test's dynamic tests), so spans, logs and
 *       tasks of the code under test belong to it. It ends {@code "passed"},
 *       {@code "failed"} (with the attribute {@code exception}, the exception class, and
 *       a {@code failure} log) or {@code "aborted"} (a failed assumption). A test that
 *       times out has failed with a {@code TimeoutException}.</li>
 *   <li>The file holds that task tree only: the class task, its tests, the tasks created
 *       under them, and the spans, logs, attributes and jobs of all of those, on every
 *       thread — nothing of classes running in parallel. Work on other threads belongs
 *       to a test where the test's task is carried there (with
 *       {@code Task.makeCurrent()}, Context Propagation, or the Reactor and
 *       CompletableFuture adapters).</li>
 * </ul>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>One recording per JVM: the first recorded class starts a
 *       {@link io.asynctrace.FlightRecorder} that keeps everything, up to
 *       {@value #MAX_BYTES_PROPERTY} bytes (default 256 MiB, at least 64 KiB); it stops
 *       when the last recorded class that uses it has written its file (so classes
 *       after it record their own traces with their own options). After each class the extension takes
 *       a snapshot and writes the class's part of it. Each class's file therefore costs
 *       a pass over what the flight recorder holds; a class whose events outgrow
 *       {@value #MAX_BYTES_PROPERTY} loses its oldest ones (the file's drop count says
 *       how many events the recorder itself dropped meanwhile).</li>
 *   <li>If the code under test already runs its own flight recorder, nothing is recorded:
 *       the log says so once, and each class gets an {@code asynctrace.trace} report
 *       entry saying so. Tests may call {@code Trace.start}/{@code Trace.stop}
 *       themselves: their recording and the class file both get the events, and the
 *       extension's own events stay out of their recording (it writes them out with
 *       {@code Trace.flush()} as each class and test starts, a short wait for the
 *       recorder's writer thread).</li>
 *   <li>Parallel execution ({@code junit.jupiter.execution.parallel.enabled}) of classes
 *       and methods is supported: one recording, one file per class.</li>
 *   <li>The file is written after the class, whatever its tests did (failed, timed out,
 *       left threads running): a complete trace, written to a temporary file and moved
 *       into place. Writing it never fails a test: an error goes to the log and to an
 *       {@code asynctrace.trace.error} report entry; the file's path goes to an
 *       {@code asynctrace.trace} report entry. A malformed {@value #MAX_BYTES_PROPERTY}
 *       fails the class ({@link ExtensionConfigurationException}).</li>
 *   <li>Register it at class level: registered on a single method, it records nothing.</li>
 * </ul>
 */
public final class TraceExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, InvocationInterceptor {
    /** Configuration parameter or system property: the directory of the trace files; turns tracing on for auto-detection. */
    public static final String DIR_PROPERTY = "asynctrace.trace.dir";
    /** Configuration parameter or system property: the most bytes of trace the JVM-wide flight recorder keeps. */
    public static final String MAX_BYTES_PROPERTY = "asynctrace.trace.maxBytes";
    /** The directory when neither {@link Traced#dir()} nor {@value #DIR_PROPERTY} says otherwise. */
    public static final String DEFAULT_DIR = "target/asynctrace";
    static final long DEFAULT_MAX_BYTES = 256L << 20;
    static final String REPORT_KEY = "asynctrace.trace";

    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    private static final Namespace NAMESPACE = Namespace.create(TraceExtension.class);
    private static final String TEST_KEY = "test";

    /** Created by JUnit. */
    public TraceExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        Store store = context.getStore(NAMESPACE);
        if (store.get(testClass, ClassRun.class) != null) {
            return; // registered twice
        }
        Optional<Path> dir = directory(context, testClass);
        if (dir.isEmpty()) {
            return;
        }
        long maxBytes = maxBytes(context);
        // Held by this class only: the flight recorder runs while traced classes run, and stops after
        // the last one, so that test classes after it record their own traces with their own options.
        SharedRecorder.Lease lease = SharedRecorder.acquire(maxBytes);
        if (lease.flight() == null) {
            lease.close();
            context.publishReportEntry(REPORT_KEY, "not recorded: " + SharedRecorder.FOREIGN);
            return;
        }
        Class<?> enclosing = testClass.getEnclosingClass();
        ClassRun outer = enclosing == null ? null : store.get(enclosing, ClassRun.class);
        Task task = Trace.newTask("class", outer == null ? null : outer.task).attr("class", testClass.getName());
        store.put(testClass, new ClassRun(task, dir.get().resolve(testClass.getName() + ".trace"), lease));
        Trace.flush(); // out of the way of a Trace.start in the class's own code
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ClassRun run = context.getStore(NAMESPACE).get(context.getRequiredTestClass(), ClassRun.class);
        if (run == null) {
            return;
        }
        Method method = context.getRequiredTestMethod();
        Task test = Trace.newTask("test", run.task)
                .attr("class", context.getRequiredTestClass().getName())
                .attr("method", method.getName())
                .attr("name", context.getDisplayName());
        context.getStore(NAMESPACE).put(TEST_KEY, test);
        run.tests.incrementAndGet();
        // A Trace.start in the test attaches its file to the running recording: events still
        // buffered would land in that file. Written out now, this task's begin does not.
        Trace.flush();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Store store = context.getStore(NAMESPACE);
        Task test = store.get(TEST_KEY, Task.class);
        ClassRun run = store.get(context.getRequiredTestClass(), ClassRun.class);
        if (test == null || run == null) {
            return;
        }
        Throwable failure = context.getExecutionException().orElse(null);
        if (failure == null) {
            test.end("passed");
        } else if (failure instanceof TestAbortedException) {
            test.end("aborted");
        } else {
            run.failed.incrementAndGet();
            test.attr("exception", failure.getClass().getName());
            test.log("failure", String.valueOf(failure));
            test.end("failed");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        ClassRun run = context.getStore(NAMESPACE).get(testClass, ClassRun.class);
        if (run == null || !run.finish()) {
            return;
        }
        Throwable failure = context.getExecutionException().orElse(null);
        run.task.attr("tests", Integer.toString(run.tests.get())).attr("failed", Integer.toString(run.failed.get()));
        if (failure instanceof TestAbortedException) {
            run.task.end("aborted");
        } else {
            run.task.end(failure != null || run.failed.get() > 0 ? "failed" : "passed");
        }
        try {
            ClassTrace.write(run.flight, run.task.id(), run.file);
            context.publishReportEntry(REPORT_KEY, run.file.toAbsolutePath().toString());
        } catch (Exception e) { // never fail the tests for their trace
            LOG.log(System.Logger.Level.WARNING, "asynctrace: could not write " + run.file + ": " + e, e);
            context.publishReportEntry(REPORT_KEY + ".error", run.file + ": " + e);
        } finally {
            run.lease.close();
        }
    }

    @Override
    public <T> T interceptTestClassConstructor(Invocation<T> invocation,
            ReflectiveInvocationContext<Constructor<T>> invocationContext, ExtensionContext extensionContext)
            throws Throwable {
        return proceedAs(invocation, extensionContext);
    }

    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedAs(invocation, extensionContext);
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedAs(invocation, extensionContext);
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        proceedAs(invocation, extensionContext);
    }

    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        return proceedAs(invocation, extensionContext);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedAs(invocation, extensionContext);
    }

    @Override
    public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        proceedAs(invocation, extensionContext);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedAs(invocation, extensionContext);
    }

    @Override
    public void interceptAfterAllMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        proceedAs(invocation, extensionContext);
    }

    /** Runs the invocation with the test's task (else the class's) current on this thread. */
    private static <T> T proceedAs(Invocation<T> invocation, ExtensionContext context) throws Throwable {
        Task task = taskOf(context);
        if (task == null) {
            return invocation.proceed();
        }
        try (Scope scope = task.makeCurrent()) {
            return invocation.proceed();
        }
    }

    private static Task taskOf(ExtensionContext context) {
        Store store = context.getStore(NAMESPACE); // lookups fall back to the enclosing contexts' stores
        Task test = store.get(TEST_KEY, Task.class);
        if (test != null) {
            return test;
        }
        ClassRun run = context.getTestClass().map(c -> store.get(c, ClassRun.class)).orElse(null);
        return run == null ? null : run.task;
    }

    /** The directory of the class's file, or empty when the class is not to be recorded. */
    private static Optional<Path> directory(ExtensionContext context, Class<?> testClass) {
        Optional<String> property = context.getConfigurationParameter(DIR_PROPERTY).filter(s -> !s.isBlank());
        boolean declared = false;
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<Traced> traced = AnnotationSupport.findAnnotation(c, Traced.class);
            if (traced.isPresent() && !traced.get().dir().isEmpty()) {
                return Optional.of(Path.of(traced.get().dir()));
            }
            declared |= traced.isPresent() || AnnotationSupport.findRepeatableAnnotations(c, ExtendWith.class).stream()
                    .anyMatch(e -> Arrays.asList(e.value()).contains(TraceExtension.class));
        }
        if (property.isPresent()) {
            return Optional.of(Path.of(property.get().strip()));
        }
        return declared ? Optional.of(Path.of(DEFAULT_DIR)) : Optional.empty();
    }

    private static long maxBytes(ExtensionContext context) {
        Optional<String> value = context.getConfigurationParameter(MAX_BYTES_PROPERTY).filter(s -> !s.isBlank());
        if (value.isEmpty()) {
            return DEFAULT_MAX_BYTES;
        }
        try {
            long bytes = Long.parseLong(value.get().strip());
            if (bytes < 64 * 1024) {
                throw new ExtensionConfigurationException(MAX_BYTES_PROPERTY + " must be at least 65536, was " + bytes);
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw new ExtensionConfigurationException(MAX_BYTES_PROPERTY + " must be a number of bytes, was '"
                    + value.get() + "'", e);
        }
    }
}
