package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.asynctrace.internal.TaskEndListener;
import io.asynctrace.internal.TaskEndListeners;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A failing {@link TaskEndListener} never throws into the application and is counted. */
@ExtendWith(NoLeftovers.class)
class TaskEndListenerTest {
    @Test
    void listenersThatThrowOrOverflowAreCountedAndTheOthersStillHear() {
        List<String> heard = new CopyOnWriteArrayList<>();
        TaskEndListener throwing = e -> {
            throw new IllegalStateException("listener bug");
        };
        TaskEndListener overflowing = e -> {
            throw new StackOverflowError("deep listener");
        };
        TaskEndListener listening = e -> heard.add(e.type() + " " + e.outcome());
        long before = TaskEndListeners.failures();
        TaskEndListeners.add(throwing);
        TaskEndListeners.add(overflowing);
        TaskEndListeners.add(listening);
        try (Recording rec = Recording.start()) {
            assertThatCode(() -> Trace.newTask("order").end("ok")).doesNotThrowAnyException();
            assertThatCode(() -> Trace.newTask("pay").end("java.io.IOException")).doesNotThrowAnyException();
            TraceModels.onlyTask(rec.stop(), "order");
        } finally {
            TaskEndListeners.remove(throwing);
            TaskEndListeners.remove(overflowing);
            TaskEndListeners.remove(listening);
        }
        assertThat(heard).containsExactly("order ok", "pay java.io.IOException");
        assertThat(TaskEndListeners.failures() - before).isEqualTo(4);
    }
}
