package io.asynctrace.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.internal.format.Wire;
import io.asynctrace.testing.Golden;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TraceWriterTest {

    private static byte[] golden() {
        return Golden.v1();
    }

    private static List<String> describe(TraceModel m) {
        List<String> lines = new java.util.ArrayList<>();
        m.tasks().forEach(t -> lines.add("task " + t.id() + " " + t.type() + " parent " + t.parentId() + " " + t.start()
                + ".." + t.end() + " " + t.outcome() + " " + t.attributes() + " early " + t.startedBeforeTrace()));
        m.spans().forEach(s -> lines.add("span " + s.id() + " " + s.name() + " task " + s.taskId() + " parent "
                + s.parentId() + " " + s.start() + ".." + s.end() + " threads " + s.startThread() + "/" + s.endThread()
                + " " + s.attributes()));
        m.logs().forEach(l -> lines.add("log " + l));
        m.jobs().forEach(j -> lines.add("job " + j.id() + " task " + j.taskId() + " " + j.queued() + "/" + j.started()
                + "/" + j.finished() + " on " + j.runThread()));
        m.misuses().forEach(x -> lines.add("misuse " + x));
        m.threads().forEach((id, name) -> lines.add("thread " + id + " " + name));
        return lines.stream().sorted().collect(Collectors.toList());
    }

    @Test
    void copyingATraceKeepsEveryEvent() throws IOException {
        byte[] source = golden();
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(source));
             TraceWriter writer = new TraceWriter(copy)) {
            reader.read(writer);
        }
        TraceModel original = TraceModels.read(source);
        TraceModel copied = TraceModels.read(copy.toByteArray());
        assertThat(copied.complete()).isTrue();
        assertThat(copied.header().wallBaseNanos()).isEqualTo(original.header().wallBaseNanos());
        assertThat(copied.header().monotonicBase()).isEqualTo(original.header().monotonicBase());
        assertThat(copied.header().version()).isEqualTo(Wire.VERSION);
        assertThat(copied.events()).isEqualTo(original.events());
        assertThat(describe(copied)).containsExactlyElementsOf(describe(original));
    }

    @Test
    void copyingKeepsEveryStack() throws IOException {
        byte[] source = Golden.bytes(2);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(source));
             TraceWriter writer = new TraceWriter(copy)) {
            reader.read(writer);
        }
        TraceModel original = TraceModel.read(new ByteArrayInputStream(source));
        TraceModel copied = TraceModel.read(new ByteArrayInputStream(copy.toByteArray()));
        assertThat(copied.spans()).extracting(SpanInfo::stack).doesNotContainNull()
                .containsExactlyElementsOf(original.spans().stream().map(SpanInfo::stack).toList());
        assertThat(copied.logs()).extracting(LogInfo::stack)
                .containsExactlyElementsOf(original.logs().stream().map(LogInfo::stack).toList());
        assertThat(copied.tasks()).extracting(TaskInfo::stack)
                .containsExactlyElementsOf(original.tasks().stream().map(TaskInfo::stack).toList());
        assertThat(copied.jobs()).extracting(JobInfo::queuedStack)
                .containsExactlyElementsOf(original.jobs().stream().map(JobInfo::queuedStack).toList());
    }

    @Test
    void filteringKeepsOneTaskAndCarriesDrops() throws IOException {
        byte[] source = golden();
        TraceModel original = TraceModels.read(source);
        long keep = original.tasks().iterator().next().id();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(source));
             TraceWriter writer = new TraceWriter(out)) {
            writer.addDropped(3);
            reader.read(new TraceHandler() {
                @Override
                public void onHeader(TraceHeader header) {
                    writer.onHeader(header);
                }

                @Override
                public void onThread(long thread, String name) {
                    writer.onThread(thread, name);
                }

                @Override
                public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
                    if (task == keep) {
                        writer.onTaskBegin(time, thread, task, parent, type, earlier);
                    }
                }

                @Override
                public void onTaskEnd(long time, long thread, long task, String outcome) {
                    if (task == keep) {
                        writer.onTaskEnd(time, thread, task, outcome);
                    }
                }

                @Override
                public void onLog(long time, long thread, long task, String category, String message) {
                    if (task == keep) {
                        writer.onLog(time, thread, task, category, message);
                    }
                }
            });
        }
        TraceModel kept = TraceModels.read(out.toByteArray());
        assertThat(kept.tasks()).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo(keep);
            assertThat(t.duration()).isEqualTo(original.task(keep).duration());
        });
        assertThat(kept.logs()).extracting(LogInfo::category).containsExactly("orderID", "temp");
        assertThat(kept.dropped()).isEqualTo(3);
    }

    @Test
    void aCutLogIsCopiedAsACutLog() throws IOException {
        byte[] source = golden();
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(source));
             TraceWriter writer = new TraceWriter(copy)) {
            reader.read(writer);
        }
        List<String> cuts = new java.util.ArrayList<>();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(copy.toByteArray()))) {
            reader.read(new TraceHandler() {
                @Override
                public void onLogCut(long time, long thread, long task, String category, String message,
                                     long originalChars) {
                    cuts.add(category + " " + message.length() + " of " + originalChars);
                }
            });
        }
        assertThat(cuts).containsExactly("note 4096 of 5000");
        TraceModel copied = TraceModels.read(copy);
        assertThat(copied.logs().get(3).message()).isEqualTo("y".repeat(4096) + "… [cut from 5000 chars]");
    }

    @Test
    void namesAndValuesAreCutBetweenCharactersNeverInsideASurrogatePair() throws IOException {
        String smile = "\uD83D\uDE00";
        String name = "n".repeat(1023) + smile + "tail";
        String message = "m".repeat(4095) + smile + "tail";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TraceWriter writer = new TraceWriter(out)) {
            writer.onThread(1, "main");
            writer.onTaskBegin(10, 1, 5, 0, name, false);
            writer.onAttribute(11, 1, 5, false, "k", name);
            writer.onLog(12, 1, 5, "c", message);
            writer.onTaskEnd(13, 1, 5, "ok");
        }
        TraceModel m = TraceModels.read(out);
        TaskInfo task = m.task(5);
        assertThat(task.type()).isEqualTo("n".repeat(1023));
        assertThat(task.attributes()).containsEntry("k", "n".repeat(1023));
        assertThat(m.logs().get(0).message()).isEqualTo("m".repeat(4095) + "… [cut from 4101 chars]");
    }
}
