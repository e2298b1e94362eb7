package io.asynctrace.testing;

import java.io.PrintStream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Says in the build output why each test was skipped: Maven's summary only counts
 * them. Registered for every module whose tests use trace-core's test-jar (a
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener} entry of
 * the test-jar), it prints one line on standard error per test that is disabled or
 * aborted by an assumption, such as {@code assumeTrue(chromium installed, "...")}:
 *
 * <pre>
 * asynctrace: SKIPPED ViewBrowserTest histogramsThenInstancesThenATimeline(): chromium and chromedriver are not installed: ...
 * </pre>
 */
public final class SkipReasons implements TestExecutionListener {
    private final PrintStream err = System.err;

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        print(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            print(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private void print(TestIdentifier test, String reason) {
        err.println("asynctrace: SKIPPED " + where(test) + ": " + reason);
        err.flush();
    }

    /** The test's class (from its unique id's class segment) and display name. */
    static String where(TestIdentifier test) {
        String id = test.getUniqueId();
        int c = id.lastIndexOf("[class:");
        if (c < 0) {
            c = id.lastIndexOf("[nested-class:");
        }
        String cls = "";
        if (c >= 0 && id.indexOf(']', c) < id.length() - 1) { // a test of the class, not the class itself
            int start = id.indexOf(':', c) + 1;
            int end = id.indexOf(']', start);
            cls = id.substring(start, end);
            cls = cls.substring(cls.lastIndexOf('.') + 1) + " ";
        }
        return cls + test.getDisplayName();
    }
}
