package io.asynctrace.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.reader.TraceWriter;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ClassTraceTest {
    private static final long ROOT = 10;
    private static final long TEST = 11;
    private static final long GRANDCHILD = 12;
    private static final long OTHER = 30;

    /** A trace where ends and children come before their begins, as threads' batches may be flushed. */
    private static byte[] source() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TraceWriter w = new TraceWriter(bytes)) {
            w.onHeader(new TraceHeader(1, 1_000_000_000L, 5_000L));
            w.addDropped(4);
            w.onThread(2, "worker");
            w.onThread(1, "main");
            // The worker's batch is flushed first: the grandchild, a span that ends here, a job.
            w.onTaskBegin(200, 2, GRANDCHILD, TEST, "sub", false);
            w.onLog(210, 2, GRANDCHILD, "sub", "deep");
            w.onJobStarted(215, 2, 41);
            w.onSpanEnd(220, 2, 20);
            w.onJobFinished(225, 2, 41);
            w.onSpanBegin(230, 2, 31, 0, OTHER, "other-span");
            w.onMisuse(240, 2, Misuse.SPAN_ENDED_TWICE, 20);
            w.onTaskEnd(250, 2, GRANDCHILD, "ok");
            // Then main: the class, its test, a span begun here that ended on the worker, another class.
            w.onTaskBegin(100, 1, ROOT, 0, "class", false);
            w.onAttribute(101, 1, ROOT, false, "class", "com.example.T");
            w.onTaskBegin(110, 1, TEST, ROOT, "test", false);
            w.onTaskBegin(111, 1, OTHER, 0, "class", false);
            w.onSpanBegin(120, 1, 20, 0, TEST, "handoff");
            w.onAttribute(121, 1, 20, true, "k", "v");
            w.onAttribute(122, 1, 31, true, "k", "other");
            w.onJobQueued(130, 1, 41, TEST);
            w.onJobQueued(131, 1, 42, OTHER);
            w.onLog(140, 1, 0, "nobody", "no task");
            w.onLog(141, 1, OTHER, "other", "not ours");
            w.onTaskEnd(300, 1, TEST, "passed");
            w.onTaskEnd(301, 1, OTHER, "passed");
            w.onTaskEnd(310, 1, ROOT, "passed");
        }
        return bytes.toByteArray();
    }

    @Test
    void keepsTheRootsTreeWhateverTheOrderOfItsEvents() throws IOException {
        byte[] source = source();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ClassTrace.filter(new ByteArrayInputStream(source), () -> new ByteArrayInputStream(source), ROOT, out);
        TraceModel model = TraceModels.read(out.toByteArray());

        assertThat(model.complete()).isTrue();
        assertThat(model.header()).isEqualTo(TraceModels.read(source).header());
        assertThat(model.tasks()).extracting(TaskInfo::id).containsExactlyInAnyOrder(ROOT, TEST, GRANDCHILD);
        assertThat(model.tasks()).allSatisfy(t -> assertThat(t.complete()).isTrue());
        assertThat(model.task(GRANDCHILD).parentId()).isEqualTo(TEST);
        assertThat(model.task(ROOT).attributes()).containsEntry("class", "com.example.T");
        assertThat(model.spans()).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo(20);
            assertThat(s.taskId()).isEqualTo(TEST);
            assertThat(s.startThread()).isEqualTo(1);
            assertThat(s.endThread()).isEqualTo(2);
            assertThat(s.attributes()).containsEntry("k", "v");
        });
        assertThat(model.jobs()).singleElement().satisfies(j -> {
            assertThat(j.id()).isEqualTo(41);
            assertThat(j.hasQueued() && j.hasStarted() && j.hasFinished()).isTrue();
        });
        assertThat(model.logs()).extracting(LogInfo::message).containsExactly("deep");
        assertThat(model.misuses()).singleElement().satisfies(m -> assertThat(m.id()).isEqualTo(20));
        assertThat(model.threads()).containsEntry(1L, "main").containsEntry(2L, "worker");
        assertThat(model.dropped()).isEqualTo(4);
    }

    @Test
    void aNestedRootLosesItsParentOutsideTheTree() throws IOException {
        byte[] source = source();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ClassTrace.filter(new ByteArrayInputStream(source), () -> new ByteArrayInputStream(source), TEST, out);
        TraceModel model = TraceModels.read(out.toByteArray());
        assertThat(model.tasks()).extracting(TaskInfo::id).containsExactlyInAnyOrder(TEST, GRANDCHILD);
        assertThat(model.task(TEST).parentId()).isZero();
        assertThat(model.spans()).extracting(SpanInfo::id).containsExactly(20L);
    }
}
