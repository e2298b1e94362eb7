package io.asynctrace.future;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Values from futures completed by an untraced foreign pool (threads that never had a
 * task): {@value #TASKS} tasks at once, each waiting on a plain {@code CompletableFuture}
 * that pool completes, wrapped with {@code TracedCompletableFuture.wrap}; a synchronous
 * stage (on the pool's thread), an async stage (the default executor) and a stage after a
 * {@code thenCompose} of another plain future of that pool each log the task's number and
 * open a span named after it. Read back, every log and span is on the task of its number,
 * and the pool's threads keep no task.
 */
@ExtendWith(NoLeftovers.class)
class ForeignCompletionTest {
    static final int TASKS = 40;

    static int mark(int i, int value) {
        Trace.log("i", Integer.toString(i));
        return Trace.withSpan("s" + i, () -> value);
    }

    @Test
    void stagesOfFuturesAnUntracedPoolCompletesRunOnTheirTask() throws Exception {
        ExecutorService foreign = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "untraced-pool");
            t.setDaemon(true);
            return t;
        });
        try {
            Recording rec = Recording.start();
            List<CompletableFuture<Integer>> sources = new ArrayList<>();
            List<CompletableFuture<?>> done = new ArrayList<>();
            for (int n = 0; n < TASKS; n++) {
                int i = n;
                Task task = Trace.newTask("case-" + i);
                CompletableFuture<Integer> source = new CompletableFuture<>();
                try (Scope s = task.makeCurrent()) {
                    done.add(TracedCompletableFuture.wrap(source)
                            .thenApply(v -> mark(i, v))
                            .thenApplyAsync(v -> mark(i, v))
                            .thenCompose(v -> CompletableFuture.supplyAsync(() -> v, foreign))
                            .thenApply(v -> mark(i, v))
                            .whenComplete((v, e) -> task.end()));
                }
                sources.add(source);
            }
            for (int n = 0; n < TASKS; n++) { // completed after every stage was made: the stages run where they complete
                CompletableFuture<Integer> source = sources.get(n);
                int i = n;
                foreign.execute(() -> source.complete(i));
            }
            for (CompletableFuture<?> f : done) {
                Await.value("the stages of a task", f);
            }
            TraceModel m = rec.stop();
            Map<Long, TaskInfo> tasks = m.tasks().stream().collect(Collectors.toMap(TaskInfo::id, t -> t));
            assertThat(tasks.values()).hasSize(TASKS).allSatisfy(t -> assertThat(t.complete()).isTrue());
            assertThat(m.logs()).hasSize(3 * TASKS);
            for (LogInfo l : m.logs()) {
                TaskInfo t = tasks.get(l.taskId());
                assertThat(t).as("log %s on a task", l.message()).isNotNull();
                assertThat(t.type()).isEqualTo("case-" + l.message());
            }
            assertThat(m.spans()).hasSize(3 * TASKS);
            for (SpanInfo s : m.spans()) {
                TaskInfo t = tasks.get(s.taskId());
                assertThat(t).as("span %s on a task", s.name()).isNotNull();
                assertThat(t.type()).isEqualTo("case-" + s.name().substring(1));
                assertThat(s.hasEnd()).isTrue();
            }
            assertThat(m.logs().stream().filter(l -> m.threads().get(l.thread()).equals("untraced-pool")).count())
                    .as("the synchronous stages and those after thenCompose ran on the pool").isEqualTo(2L * TASKS);
            CyclicBarrier both = new CyclicBarrier(2); // one question to each of the pool's two threads
            List<Future<Task>> kept = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                kept.add(foreign.submit(() -> {
                    both.await(10, TimeUnit.SECONDS);
                    return Trace.currentTask();
                }));
            }
            for (Future<Task> f : kept) {
                assertThat(f.get(10, TimeUnit.SECONDS)).as("a pool thread keeps no task").isNull();
            }
        } finally {
            foreign.shutdownNow();
        }
    }
}
