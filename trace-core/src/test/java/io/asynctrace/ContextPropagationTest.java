package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The current task is a Micrometer ThreadLocalAccessor found through ServiceLoader. */
class ContextPropagationTest {

    @Test
    void registeredThroughServiceLoader() {
        assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
                .anyMatch(a -> TaskThreadLocalAccessor.KEY.equals(a.key()));
    }

    @Test
    void snapshotCarriesTheTaskAndRestoresTheTarget() throws Exception {
        ContextSnapshotFactory factory = ContextSnapshotFactory.builder().clearMissing(true).build();
        Task task = Trace.newTask("carried");
        ContextSnapshot snapshot;
        try (Scope s = task.makeCurrent()) {
            snapshot = factory.captureAll();
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Task other = Trace.newTask("resident");
            Task[] seen = new Task[3];
            pool.submit(() -> {
                try (Scope s = other.makeCurrent()) {
                    try (ContextSnapshot.Scope restored = snapshot.setThreadLocals()) {
                        seen[0] = Trace.currentTask();
                    }
                    seen[1] = Trace.currentTask();
                }
                seen[2] = Trace.currentTask();
            }).get();
            assertThat(seen[0]).isSameAs(task);
            assertThat(seen[1]).isSameAs(other);
            assertThat(seen[2]).isNull();

            ExecutorService wrapped = ContextExecutorService.wrap(pool, () -> factory.captureAll());
            try (Scope s = task.makeCurrent()) {
                assertThat(wrapped.submit(Trace::currentTask).get()).isSameAs(task);
            }
            assertThat(wrapped.submit(Trace::currentTask).get()).as("clearMissing clears it").isNull();
        } finally {
            pool.shutdown();
        }
    }
}
