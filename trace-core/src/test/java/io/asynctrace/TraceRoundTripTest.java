package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TraceRoundTripTest {

    @AfterEach
    void stop() {
        Trace.stop();
    }

    @Test
    void singleThreadTaskSpanLog() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        assertThat(Trace.isEnabled()).isTrue();
        Task task = Trace.newTask("order").attr("tier", "gold");
        try (Scope s = task.makeCurrent()) {
            Trace.withSpan("outer", () -> {
                Trace.withSpan("inner", () -> Trace.log("orderID", "42"));
            });
        }
        task.end();
        RecordingStats stats = Trace.stop();
        assertThat(Trace.isEnabled()).isFalse();
        assertThat(stats.failure()).isEmpty();
        assertThat(stats.bytesWritten()).isEqualTo(out.size());

        TraceModel m = TraceModels.read(out);
        assertThat(m.complete()).isTrue();
        assertThat(m.truncated()).isFalse();
        assertThat(m.tasks()).hasSize(1);
        TaskInfo t = m.tasks().iterator().next();
        assertThat(t.type()).isEqualTo("order");
        assertThat(t.id()).isEqualTo(task.id());
        assertThat(t.complete()).isTrue();
        assertThat(t.outcome()).isEqualTo("ok");
        assertThat(t.attributes()).containsEntry("tier", "gold");
        Map<String, SpanInfo> spans = m.spans().stream().collect(Collectors.toMap(SpanInfo::name, x -> x));
        assertThat(spans).containsOnlyKeys("outer", "inner");
        assertThat(spans.get("inner").parentId()).isEqualTo(spans.get("outer").id());
        assertThat(spans.get("outer").parentId()).isZero();
        assertThat(spans.get("inner").taskId()).isEqualTo(task.id());
        assertThat(spans.get("outer").start()).isLessThanOrEqualTo(spans.get("inner").start());
        assertThat(spans.get("outer").end()).isGreaterThanOrEqualTo(spans.get("inner").end());
        assertThat(m.logs()).singleElement().satisfies(l -> {
            assertThat(l.category()).isEqualTo("orderID");
            assertThat(l.message()).isEqualTo("42");
            assertThat(l.taskId()).isEqualTo(task.id());
        });
        assertThat(m.threads()).containsValue(Thread.currentThread().getName());
    }

    @Test
    void eightThreadsExactCountsAndNesting() throws Exception {
        int threads = 8;
        int tasksPerThread = 2_000;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int k = 0; k < tasksPerThread; k++) {
                    try (Task task = Trace.newTask("t"); Scope s = task.makeCurrent()) {
                        Trace.withSpan("a", () -> {
                            Trace.withSpan("b", () -> Trace.log("k", "v"));
                        });
                    }
                }
            }, "worker-" + i);
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.dropped()).isZero();
        assertThat(m.tasks()).hasSize(threads * tasksPerThread).allMatch(TaskInfo::complete);
        assertThat(m.spans()).hasSize(2 * threads * tasksPerThread);
        for (SpanInfo s : m.spans()) {
            assertThat(s.hasStart() && s.hasEnd()).isTrue();
            assertThat(s.startThread()).isEqualTo(s.endThread());
            if (s.name().equals("b")) {
                SpanInfo parent = m.span(s.parentId());
                assertThat(parent.name()).isEqualTo("a");
                assertThat(parent.taskId()).isEqualTo(s.taskId());
            } else {
                assertThat(s.parentId()).isZero();
            }
        }
        assertThat(m.logs()).hasSize(threads * tasksPerThread);
        assertThat(m.threads().values()).contains("worker-0", "worker-7");
    }
}
