package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.testing.TraceModels;
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

    @Test
    void theOpenSpanTravelsAndTheTargetsSpanIsRestored() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withStrict(true));
        ContextSnapshotFactory factory = ContextSnapshotFactory.builder().clearMissing(true).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Task task = Trace.newTask("t");
            Span submitSpan;
            Task[] inlineTask = new Task[1];
            try (Scope s = task.makeCurrent(); Span outer = Trace.startSpan("submit")) {
                submitSpan = outer;
                ContextSnapshot snapshot = factory.captureAll();
                pool.submit(() -> {
                    try (ContextSnapshot.Scope restored = snapshot.setThreadLocals()) {
                        Trace.withSpan("child", () -> { });
                    }
                }).get();
                // A snapshot scope opened and closed here keeps this thread's open span current.
                try (ContextSnapshot.Scope inline = snapshot.setThreadLocals()) {
                    inlineTask[0] = Trace.currentTask();
                }
                Trace.withSpan("afterInline", () -> { }); // nests under "submit" only if it is still current
            } // strict mode: ending "submit" would throw if the inline scope had lost it
            task.end();
            Trace.stop();
            io.asynctrace.reader.TraceModel m = TraceModels.read(out);
            assertThat(m.spans()).filteredOn(sp -> sp.name().equals("child")).singleElement().satisfies(sp -> {
                assertThat(sp.parentId()).isEqualTo(submitSpan.id());
                assertThat(sp.taskId()).isEqualTo(task.id());
            });
            assertThat(m.spans()).filteredOn(sp -> sp.name().equals("afterInline")).singleElement()
                    .satisfies(sp -> assertThat(sp.parentId()).isEqualTo(submitSpan.id()));
            assertThat(m.misuses()).isEmpty();
            assertThat(inlineTask[0]).as("the snapshot's task, current inside its scope").isSameAs(task);
        } finally {
            pool.shutdown();
            Trace.stop();
        }
    }
}
