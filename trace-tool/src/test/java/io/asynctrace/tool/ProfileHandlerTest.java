package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.StackFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProfileHandler}'s memory follows the threads at work, not every thread the trace had. */
class ProfileHandlerTest {
    private static final CallStack NAP = CallStack.of(List.of(new StackFrame("shop.Oven", "nap", "Oven.java", 7)),
            false);

    @Test
    void aThreadPerTaskKeepsABoundedHistoryAndLateSamplesOfForgottenThreadsAreCounted() {
        PprofBuilder out = new PprofBuilder("delay", false);
        ProfileHandler h = new ProfileHandler(ProfileKind.SLEEP, null, 0, false, false, out);
        int threads = 100_000; // a virtual thread per request
        for (int t = 1; t <= threads; t++) {
            long begin = t * 1_000L;
            h.onThread(t, "");
            h.onTaskBegin(begin, t, t, 0, "request", false, null);
            h.onSpanBegin(begin + 10, t, 1_000_000L + t, 0, t, "handle", null);
            h.onSpanEnd(begin + 500, t, 1_000_000L + t);
            h.onTaskEnd(begin + 900, t, t, "ok");
        }
        assertThat(h.lanes()).isLessThanOrEqualTo(2 * ProfileHandler.MAX_LANES);

        // JFR's events come late: a sleep within the last thread's task is still tied to it ...
        h.onRuntime(threads * 1_000L + 100, threads, RuntimeKind.THREAD_SLEEP, 50, 0, null, NAP);
        assertThat(out.count()).isOne();
        // ... one within the first thread's task, long forgotten, is counted, not taken for outside any task
        h.onRuntime(1_000L + 100, 1, RuntimeKind.THREAD_SLEEP, 50, 0, null, NAP);
        assertThat(h.unattributed).isOne();
        assertThat(h.outside).isZero();
        // ... and a thread that never ran a task, sleeping after everything, is outside any task
        h.onRuntime(threads * 1_000L + 5_000, 7_777_777, RuntimeKind.THREAD_SLEEP, 50, 0, null, NAP);
        assertThat(h.outside).isOne();
        assertThat(out.count()).isOne();
    }
}
