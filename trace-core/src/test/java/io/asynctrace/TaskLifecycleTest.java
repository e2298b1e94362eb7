package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.MisuseInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskLifecycleTest {

    @AfterEach
    void stop() {
        Trace.stop();
    }

    @Test
    void taskCreatedBeforeStartAndEndedAfterStop() throws Exception {
        Task task = Trace.newTask("straddle");
        Thread.sleep(2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        try (Scope s = task.makeCurrent()) {
            Trace.withSpan("inside", () -> Trace.log("k", "during"));
        }
        Trace.stop();
        task.end();

        TraceModel m = TraceModels.read(out);
        TaskInfo t = m.task(task.id());
        assertThat(t).isNotNull();
        assertThat(t.type()).isEqualTo("straddle");
        assertThat(t.startedBeforeTrace()).isTrue();
        assertThat(t.start()).as("created before the trace base").isNegative();
        assertThat(t.hasEnd()).isFalse();
        assertThat(m.spans()).singleElement().extracting(SpanInfo::taskId).isEqualTo(task.id());
        assertThat(m.logs()).singleElement().satisfies(l -> assertThat(l.taskId()).isEqualTo(task.id()));
    }

    @Test
    void taskCreatedBeforeStartEndedDuringTraceHasItsTrueLatency() throws Exception {
        Task task = Trace.newTask("early");
        Thread.sleep(5);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        task.end("done");
        task.end("again"); // idempotent: only the first end counts
        Trace.stop();
        TaskInfo t = TraceModels.read(out).task(task.id());
        assertThat(t.complete()).isTrue();
        assertThat(t.outcome()).isEqualTo("done");
        assertThat(t.duration()).isGreaterThanOrEqualTo(5_000_000L);
    }

    @Test
    void taskCreatedDuringTraceAndEndedAfterStopIsOpen() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        Task task = Trace.newTask("open");
        Trace.stop();
        task.end();
        TaskInfo t = TraceModels.read(out).task(task.id());
        assertThat(t.hasStart()).isTrue();
        assertThat(t.startedBeforeTrace()).isFalse();
        assertThat(t.hasEnd()).isFalse();
    }

    @Test
    void childTaskRecordsParentAndSpanEndsOnAnotherThread() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        Task parent = Trace.newTask("parent");
        Task child;
        Span detached;
        try (Scope s = parent.makeCurrent()) {
            child = Trace.newTask("child");
            detached = child.startSpan("async");
        }
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "other"));
        CompletableFuture.runAsync(() -> {
            detached.end();
            child.end("ok");
        }, pool).get();
        pool.shutdown();
        parent.end();
        Trace.stop();

        TraceModel m = TraceModels.read(out);
        assertThat(m.task(child.id()).parentId()).isEqualTo(parent.id());
        SpanInfo span = m.span(detached.id());
        assertThat(span.taskId()).isEqualTo(child.id());
        assertThat(m.threads().get(span.startThread())).isEqualTo(Thread.currentThread().getName());
        assertThat(m.threads().get(span.endThread())).isEqualTo("other");
        assertThat(m.misuses()).isEmpty();
    }

    @Test
    void scopeRestoresPreviousTask() {
        Task a = Trace.newTask("a");
        Task b = Trace.newTask("b");
        assertThat(Trace.currentTask()).isNull();
        try (Scope sa = a.makeCurrent()) {
            try (Scope sb = b.makeCurrent()) {
                assertThat(Trace.currentTask()).isSameAs(b);
            }
            assertThat(Trace.currentTask()).isSameAs(a);
        }
        assertThat(Trace.currentTask()).isNull();
    }

    @Test
    void disabledCallsReturnSharedNoops() {
        assertThat(Trace.isEnabled()).isFalse();
        RecordingStats last = Trace.stop();
        Span s = Trace.startSpan("x");
        assertThat(s).isSameAs(Trace.startSpan("y"));
        assertThat(s.isRecording()).isFalse();
        s.end();
        s.end(); // no misuse while off
        assertThat(Trace.withSpan("z", () -> 7)).isEqualTo(7);
        assertThat(Trace.jobQueued()).isZero();
        Trace.log("a", null);
        assertThat(Trace.isEnabled()).isFalse();
        assertThat(Trace.stop()).as("still the last recording's figures: nothing was started").isSameAs(last);
    }

    @Test
    void startTwiceThrowsAndStopIsIdempotent() {
        Trace.start(new ByteArrayOutputStream());
        assertThatThrownBy(() -> Trace.start(new ByteArrayOutputStream()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already on");
        RecordingStats first = Trace.stop();
        assertThat(Trace.stop()).isSameAs(first);
    }

    @Test
    void misuseIsRecordedNotThrown() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        Task task = Trace.newTask("m");
        Span twice;
        Span outer;
        Scope scope = task.makeCurrent();
        twice = Trace.startSpan("twice");
        twice.end();
        twice.end();
        outer = Trace.startSpan("outer");
        Span inner = Trace.startSpan("inner");
        outer.end(); // inner still open: misnested
        inner.end();
        Thread other = new Thread(scope::close);
        other.start();
        other.join();
        scope.close();
        Trace.stop();

        TraceModel m = TraceModels.read(out);
        List<MisuseInfo> misuses = new ArrayList<>(m.misuses());
        misuses.sort(Comparator.comparingLong(MisuseInfo::time)); // threads' batches interleave in any order
        assertThat(misuses).extracting(MisuseInfo::kind)
                .containsExactly(Misuse.SPAN_ENDED_TWICE, Misuse.SPAN_MISNESTED, Misuse.SCOPE_MISNESTED);
        assertThat(misuses.get(0).id()).isEqualTo(twice.id());
        assertThat(misuses.get(1).id()).isEqualTo(outer.id());
        assertThat(m.spans()).hasSize(3).allMatch(sp -> sp.hasStart() && sp.hasEnd());
        assertThat(Trace.currentTask()).isNull();
    }

    @Test
    void strictModeThrowsOnMisuse() {
        Trace.start(new ByteArrayOutputStream(), TraceOptions.defaults().withStrict(true));
        Span s = Trace.startSpan("s");
        s.end();
        assertThatThrownBy(s::end).isInstanceOf(IllegalStateException.class).hasMessageContaining("ended twice");
    }

    @Test
    void longMessagesAndNamesAreCutVisibly() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        String longMessage = "x".repeat(10_000);
        Trace.log("big", longMessage);
        Trace.log("ünïcödé 🙂", "snowman ☃ and \ud800 lone surrogate");
        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.logs().get(0).message()).startsWith("xxxx").endsWith("[cut from 10000 chars]");
        assertThat(m.logs().get(1).category()).isEqualTo("ünïcödé 🙂");
        assertThat(m.logs().get(1).message()).isEqualTo("snowman ☃ and ? lone surrogate");
    }

    @Test
    void jobsRecordQueuedStartedFinished() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        Task task = Trace.newTask("job");
        long job;
        try (Scope s = task.makeCurrent()) {
            job = Trace.jobQueued();
        }
        Thread worker = new Thread(() -> {
            Trace.jobStarted(job);
            Trace.jobFinished(job);
        }, "runner");
        worker.start();
        worker.join();
        task.end();
        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.jobs()).singleElement().satisfies(j -> {
            assertThat(j.taskId()).isEqualTo(task.id());
            assertThat(j.waitNanos()).isGreaterThanOrEqualTo(0);
            assertThat(j.runNanos()).isGreaterThanOrEqualTo(0);
            assertThat(m.threads().get(j.runThread())).isEqualTo("runner");
        });
    }

    @Test
    void explicitParentAndTasklessDetachedSpan() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        Task parent = Trace.newTask("parent");
        Task unrelated = Trace.newTask("unrelated");
        Task child;
        Span free;
        try (Scope s = unrelated.makeCurrent()) {
            child = Trace.newTask("child", parent);
            free = Trace.startDetachedSpan("free");
            Span nested = Trace.startSpan("nested");
            nested.end(); // the detached span did not become current
        }
        Thread t = new Thread(free::end);
        t.start();
        t.join();
        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.task(child.id()).parentId()).isEqualTo(parent.id());
        assertThat(m.span(free.id()).taskId()).isZero();
        assertThat(m.span(free.id()).endThread()).isNotEqualTo(m.span(free.id()).startThread());
        assertThat(m.spans()).filteredOn(sp -> sp.name().equals("nested")).singleElement()
                .satisfies(sp -> assertThat(sp.parentId()).isZero());
        assertThat(m.misuses()).isEmpty();
    }
}
