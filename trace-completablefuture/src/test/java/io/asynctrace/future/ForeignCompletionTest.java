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

    static int mark(String stage, int i, int value) {
        Trace.log(stage, Integer.toString(i));
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
                            .thenApply(v -> mark("sync", i, v))
                            .thenApplyAsync(v -> mark("async", i, v))
                            .thenCompose(v -> CompletableFuture.supplyAsync(() -> v, foreign))
                            .thenApply(v -> mark("composed", i, v))
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
            // The first stage runs where the pool completes its source (completed after the stage
            // was made). The stage after thenCompose runs where the composed future completes: on
            // the pool, or, when the pool was quicker than thenCompose's relay, on the thread that
            // ran the async stage. Which one is a race, so both are allowed, and nothing else.
            Map<String, Long> asyncThread = new java.util.HashMap<>();
            for (LogInfo l : m.logs()) {
                if (l.category().equals("async")) asyncThread.put(l.message(), l.thread());
            }
            assertThat(asyncThread).hasSize(TASKS);
            for (LogInfo l : m.logs()) {
                String thread = m.threads().get(l.thread());
                switch (l.category()) {
                    case "sync" -> assertThat(thread).as("sync stage of %s", l.message()).isEqualTo("untraced-pool");
                    case "async" -> assertThat(thread).as("async stage of %s", l.message()).isNotEqualTo("untraced-pool");
                    case "composed" -> assertThat(thread.equals("untraced-pool") || l.thread() == asyncThread.get(l.message()))
                            .as("stage after thenCompose of %s ran on %s", l.message(), thread).isTrue();
                    default -> throw new AssertionError("unexpected log " + l);
                }
            }
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
