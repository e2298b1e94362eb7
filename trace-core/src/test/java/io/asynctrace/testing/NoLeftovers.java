package io.asynctrace.testing;

import io.asynctrace.FlightRecorder;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that keeps tests from leaking tracing state into each other:
 * before and after each test it stops a running {@link FlightRecorder} and a
 * {@code Trace.start} recording, checks that the test thread has no current task, and
 * runs every {@link LeftoverCleanup} found with {@link ServiceLoader} (trace-reactor's
 * uninstalls {@code ReactorTracing}). Anything found fails the test, after cleaning,
 * so the next test starts clean.
 *
 * <pre>{@code
 * @ExtendWith(NoLeftovers.class)
 * class MyTest { ... }
 * }</pre>
 *
 * <p>It runs after the class's own {@code @AfterEach} methods, so a test whose teardown
 * stops tracing passes. Found before a test, the leftover came from an earlier test
 * class that does not use the extension; the message says so. Do not use it on a
 * {@code @Traced} class (trace-junit5), whose flight recorder runs across its tests.
 */
public final class NoLeftovers implements BeforeEachCallback, AfterEachCallback {
    private static final List<LeftoverCleanup> CLEANUPS = load();

    private static List<LeftoverCleanup> load() {
        List<LeftoverCleanup> found = new ArrayList<>();
        ServiceLoader.load(LeftoverCleanup.class, NoLeftovers.class.getClassLoader()).forEach(found::add);
        return found;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        List<String> found = cleanUp();
        if (!found.isEmpty()) {
            throw new AssertionError("left on by an earlier test, before " + context.getDisplayName() + ": "
                    + String.join("; ", found));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> found = cleanUp();
        if (!found.isEmpty()) {
            throw new AssertionError("left on by " + context.getDisplayName() + ": " + String.join("; ", found));
        }
    }

    /** Stops and undoes whatever tracing state is on; returns one line for each thing found. */
    public static List<String> cleanUp() {
        List<String> found = new ArrayList<>();
        FlightRecorder flight = FlightRecorder.running();
        if (flight != null) {
            flight.stop();
            found.add("a running FlightRecorder (stopped)");
        }
        if (Trace.isEnabled()) {
            found.add("a recording started with Trace.start (stopped)");
        }
        Trace.stop(); // also lets go of a recording whose output failed
        Task current = Trace.currentTask();
        if (current != null) {
            found.add("task " + current + " still current on the test thread (a Scope left open)");
        }
        for (LeftoverCleanup c : CLEANUPS) {
            found.addAll(c.cleanUp());
        }
        return found;
    }
}
