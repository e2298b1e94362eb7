package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Switching the current task for propagation, the adapters' way
 * ({@link TaskThreadLocalAccessor#switchTo}) and Micrometer's ({@code setValue}/{@code restore}):
 * each pair puts back the task and the open span the thread had, at any depth.
 */
@ExtendWith(NoLeftovers.class)
class TaskSwitchTest {
    private static final int DEPTH = 40;

    @Test
    void switchBackRestoresTaskAndSpanAndASwitchToTheCurrentTaskChangesNothing() {
        Recording rec = Recording.start();
        Task outer = Trace.newTask("outer");
        Task inner = Trace.newTask("inner");
        try (Scope s = outer.makeCurrent()) {
            Trace.withSpan("open", () -> {
                Object same = TaskThreadLocalAccessor.switchTo(outer);
                Trace.withSpan("same-task", () -> { });
                TaskThreadLocalAccessor.switchBack(same);
                Object token = TaskThreadLocalAccessor.switchTo(inner);
                try {
                    assertThat(Trace.currentTask()).isSameAs(inner);
                    Trace.withSpan("on-inner", () -> { });
                } finally {
                    TaskThreadLocalAccessor.switchBack(token);
                }
                assertThat(Trace.currentTask()).isSameAs(outer);
                Trace.withSpan("after", () -> { });
            });
        }
        assertThat(Trace.currentTask()).isNull();
        inner.end();
        outer.end();
        TraceModel m = rec.stop();
        long open = TraceModels.onlySpan(m, "open").id();
        assertThat(TraceModels.onlySpan(m, "same-task").parentId()).isEqualTo(open);
        assertThat(TraceModels.onlySpan(m, "on-inner").parentId()).as("a fresh nesting on the inner task").isZero();
        assertThat(TraceModels.onlySpan(m, "on-inner").taskId()).isEqualTo(inner.id());
        assertThat(TraceModels.onlySpan(m, "after").parentId()).as("the open span is current again").isEqualTo(open);
    }

    @Test
    void deepNestingOfTheMicrometerAccessorRestoresEverySpan() {
        TaskThreadLocalAccessor accessor = new TaskThreadLocalAccessor();
        checkDeepNesting(task -> {
            Task previous = accessor.getValue();
            accessor.setValue(task);
            return () -> accessor.restore(previous);
        });
    }

    @Test
    void deepNestingOfSwitchToRestoresEverySpan() {
        checkDeepNesting(task -> {
            Object token = TaskThreadLocalAccessor.switchTo(task);
            return () -> TaskThreadLocalAccessor.switchBack(token);
        });
    }

    @Test
    void deepNestingOfSwitchToNearAnEarlierTokenRestoresEverySpan() {
        Object[] near = new Object[1];
        checkDeepNesting(task -> {
            Object token = TaskThreadLocalAccessor.switchTo(task, near[0]);
            near[0] = token;
            return () -> TaskThreadLocalAccessor.switchBack(token);
        });
    }

    @Test
    void aTokenOfAnotherThreadAsTheHintSwitchesTheCallingThreadOnly() throws Exception {
        Recording rec = Recording.start();
        Task mine = Trace.newTask("mine");
        Task theirs = Trace.newTask("theirs");
        Object[] fromOtherThread = new Object[1];
        Task[] otherThreadAfter = new Task[2];
        Thread other = new Thread(() -> {
            fromOtherThread[0] = TaskThreadLocalAccessor.switchTo(theirs);
            otherThreadAfter[0] = Trace.currentTask();
            TaskThreadLocalAccessor.switchBack(fromOtherThread[0]);
            otherThreadAfter[1] = Trace.currentTask();
        });
        other.start();
        other.join(10_000);
        assertThat(other.isAlive()).isFalse();
        assertThat(otherThreadAfter[0]).isSameAs(theirs);
        assertThat(otherThreadAfter[1]).isNull();
        for (Object hint : new Object[] {fromOtherThread[0], null, "not a token"}) {
            Object token = TaskThreadLocalAccessor.switchTo(mine, hint);
            try {
                assertThat(Trace.currentTask()).as("hint %s", hint).isSameAs(mine);
                Object same = TaskThreadLocalAccessor.switchTo(mine, token);
                assertThat(Trace.currentTask()).isSameAs(mine);
                TaskThreadLocalAccessor.switchBack(same);
                assertThat(Trace.currentTask()).isSameAs(mine);
            } finally {
                TaskThreadLocalAccessor.switchBack(token);
            }
            assertThat(Trace.currentTask()).isNull();
        }
        mine.end();
        theirs.end();
        rec.stop();
    }

    @Test
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    void nearTokensGiveTheCallingThreadsStateEvenWhenTheyComeFromAnotherThread() throws Exception {
        Recording rec = Recording.start();
        Object[] foreign = new Object[1];
        Thread other = new Thread(() -> foreign[0] = TaskThreadLocalAccessor.near());
        other.start();
        other.join(10_000);
        assertThat(other.isAlive()).isFalse();
        Task outer = Trace.newTask("outer");
        long here = Thread.currentThread().getId();
        List<Task> made = new ArrayList<>();
        try (Scope s = outer.makeCurrent()) {
            for (Object near : new Object[] {TaskThreadLocalAccessor.near(), foreign[0], null, "not a token"}) {
                assertThat(TaskThreadLocalAccessor.currentTask(near)).as("near %s", near).isSameAs(outer);
                Task child = TaskThreadLocalAccessor.newTask("child", TaskThreadLocalAccessor.currentTask(near), near);
                made.add(child);
                Object token = TaskThreadLocalAccessor.switchTo(child, near);
                try {
                    assertThat(Trace.currentTask()).isSameAs(child);
                    TaskThreadLocalAccessor.end(child, "done", near);
                    TaskThreadLocalAccessor.end(child, "again", near); // only the first end counts
                } finally {
                    TaskThreadLocalAccessor.switchBack(token);
                }
                assertThat(Trace.currentTask()).isSameAs(outer);
            }
            TaskThreadLocalAccessor.switchBack(TaskThreadLocalAccessor.near()); // not a switch token: ignored
            assertThat(Trace.currentTask()).as("a near token given to switchBack pops nothing").isSameAs(outer);
        }
        assertThat(Trace.currentTask()).isNull();
        outer.end();
        TraceModel m = rec.stop();
        for (Task child : made) {
            TaskInfo t = TraceModels.task(m, child);
            assertThat(t.parentId()).isEqualTo(outer.id());
            assertThat(t.beginThread()).as("begun on the calling thread").isEqualTo(here);
            assertThat(t.endThread()).as("ended on the calling thread").isEqualTo(here);
            assertThat(t.outcome()).isEqualTo("done");
        }
    }

    /** At each of {@link #DEPTH} levels a span is open when the next task is switched to; after the inner level returns, a span begun there must nest under it. */
    private static void checkDeepNesting(Function<Task, Runnable> switcher) {
        Recording rec = Recording.start();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < DEPTH; i++) {
            tasks.add(Trace.newTask("level"));
        }
        nest(tasks, 0, switcher);
        assertThat(Trace.currentTask()).isNull();
        tasks.forEach(Task::end);
        TraceModel m = rec.stop();
        for (int i = 0; i < DEPTH; i++) {
            SpanInfo open = TraceModels.onlySpan(m, "open-" + i);
            SpanInfo after = TraceModels.onlySpan(m, "after-" + i);
            assertThat(open.taskId()).isEqualTo(tasks.get(i).id());
            assertThat(after.parentId()).as("level %d: the span open before the switch is current after it", i)
                    .isEqualTo(open.id());
            assertThat(after.taskId()).isEqualTo(tasks.get(i).id());
        }
    }

    private static void nest(List<Task> tasks, int level, Function<Task, Runnable> switcher) {
        if (level == tasks.size()) {
            return;
        }
        Runnable back = switcher.apply(tasks.get(level));
        try {
            Trace.withSpan("open-" + level, () -> {
                nest(tasks, level + 1, switcher);
                assertThat(Trace.currentTask()).isSameAs(tasks.get(level));
                Trace.withSpan("after-" + level, () -> { });
            });
        } finally {
            back.run();
        }
    }
}
