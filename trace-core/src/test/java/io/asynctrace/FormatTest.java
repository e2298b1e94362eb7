package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.internal.format.Wire;
import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.CorruptTraceException;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.MisuseInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.reader.TraceReader;
import io.asynctrace.reader.UnsupportedVersionException;
import io.asynctrace.testing.Golden;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The golden files of formats v1, v2 and v3, truncation at every offset, and hostile headers. */
class FormatTest {
    private static byte[] fresh;

    @BeforeAll
    static void record() throws Exception {
        fresh = TraceFixtures.golden(TraceFixtures.GOLDEN_STACK_DEPTH);
    }

    private static byte[] committedGolden() {
        return Golden.v1();
    }

    private static byte[] committedGolden(int version) {
        return Golden.bytes(version);
    }

    /** What the golden content must read back as, whichever recording produced it. */
    private static void assertGoldenContent(byte[] trace, int version) throws IOException {
        TraceModel m = TraceModels.read(trace);
        assertThat(m.header().version()).isEqualTo(version);
        assertThat(m.complete()).isTrue();
        assertThat(m.truncated()).isFalse();
        assertThat(m.dropped()).isZero();

        List<TaskInfo> tasks = new ArrayList<>(m.tasks());
        assertThat(tasks).extracting(TaskInfo::type).containsExactly("order", "order");
        assertThat(tasks).allMatch(TaskInfo::complete);
        assertThat(tasks.get(0).attributes()).containsExactly(Map.entry("tier", "gold"));
        assertThat(tasks.get(0).outcome()).isEqualTo("ok");
        assertThat(tasks.get(1).outcome()).isEqualTo("java.lang.IllegalStateException");

        Map<String, SpanInfo> spans = m.spans().stream().collect(Collectors.toMap(SpanInfo::name, s -> s));
        assertThat(spans).containsOnlyKeys("steamMilk", "heat", "extractCoffee", "mixMilkCoffee");
        assertThat(spans.get("heat").parentId()).isEqualTo(spans.get("steamMilk").id());
        assertThat(spans.get("steamMilk").taskId()).isEqualTo(tasks.get(0).id());
        SpanInfo extract = spans.get("extractCoffee");
        assertThat(extract.attributes()).containsExactly(Map.entry("beans", "arabica"));
        assertThat(m.threads().get(extract.endThread())).isEqualTo("barista");
        assertThat(extract.startThread()).isNotEqualTo(extract.endThread());
        assertThat(spans.get("mixMilkCoffee").taskId()).isEqualTo(tasks.get(1).id());
        assertThat(m.spans()).allMatch(s -> s.hasStart() && s.hasEnd() && s.duration() >= 0);

        assertThat(m.logs()).extracting(LogInfo::category).containsExactly("orderID", "temp", "orderID", "note");
        assertThat(m.logs().get(1).message()).isEqualTo("65C");
        assertThat(m.logs().get(3).message()).endsWith("[cut from 5000 chars]");

        assertThat(m.jobs()).singleElement().satisfies(j -> {
            assertThat(j.taskId()).isEqualTo(tasks.get(0).id());
            assertThat(m.threads().get(j.runThread())).isEqualTo("barista");
            assertThat(j.waitNanos()).isNotNegative();
        });
        assertThat(m.misuses()).extracting(MisuseInfo::kind).containsExactly(Misuse.SPAN_ENDED_TWICE);

        TraceReader reader = new TraceReader(new ByteArrayInputStream(trace));
        reader.read(new TraceHandler() { });
        assertThat(reader.segments()).as("the fixture spans several segments").isGreaterThanOrEqualTo(3);
        assertThat(reader.stacksLost()).isZero();
        if (version == 1) {
            assertThat(m.spans()).allMatch(s -> s.stack() == null);
            assertThat(m.logs()).allMatch(l -> l.stack() == null);
            return;
        }
        // Version 2, recorded with stacks of GOLDEN_STACK_DEPTH frames: trace-core's own frames left out.
        CallStack steam = spans.get("steamMilk").stack();
        assertThat(steam).isNotNull();
        assertThat(steam.frame(0).className()).isEqualTo(TraceFixtures.class.getName());
        assertThat(steam.frame(0).method()).isEqualTo("recordGolden");
        assertThat(steam.frame(0).file()).isEqualTo("TraceFixtures.java");
        assertThat(steam.frame(0).line()).isPositive();
        // Recorded under JUnit the stack is cut at the depth; the committed file was written from main().
        assertThat(steam.size()).isBetween(2, TraceFixtures.GOLDEN_STACK_DEPTH);
        assertThat(steam.truncated()).isEqualTo(steam.size() == TraceFixtures.GOLDEN_STACK_DEPTH);
        CallStack heat = spans.get("heat").stack();
        assertThat(heat.frame(0).method()).startsWith("lambda$recordGolden$");
        assertThat(tasks).allMatch(t -> t.stack() != null && t.stack().frame(0).method().equals("recordGolden"));
        assertThat(m.jobs()).allMatch(j -> j.queuedStack() != null
                && j.queuedStack().frame(0).method().equals("recordGolden"));
        assertThat(m.logs()).allMatch(l -> l.stack() != null && l.stack().frame(0).className()
                .equals(TraceFixtures.class.getName()));
        assertThat(spans.get("mixMilkCoffee").stack().frame(0).method()).isEqualTo("recordGolden");
        // Equal stacks are equal objects' worth: the first order's and the second order's begin differ by line.
        assertThat(tasks.get(0).stack()).isNotEqualTo(tasks.get(1).stack());
    }

    @Test
    void committedGoldenFileOfVersion1StillReads() throws IOException {
        assertGoldenContent(committedGolden(1), 1);
    }

    @Test
    void committedGoldenFileOfVersion2Reads() throws IOException {
        assertGoldenContent(committedGolden(2), 2);
    }

    @Test
    void committedGoldenFileOfVersion3Reads() throws IOException {
        assertGoldenContent(committedGolden(3), 3);
    }

    @Test
    void everyCommittedVersionIsTested() {
        assertThat(Golden.versions()).containsExactly(1, 2, 3);
        assertThat(Wire.VERSION).isEqualTo(3);
    }

    @Test
    void aVersion3SegmentReadWithoutTheSegmentsBeforeItIsCorruptNotMisread() throws IOException {
        byte[] trace = committedGolden(3);
        List<int[]> segments = TraceFixtures.segments(trace);
        assertThat(segments).hasSizeGreaterThan(2);
        // The header, then the second segment alone: its strings continue those of the first.
        int[] second = segments.get(1);
        byte[] alone = new byte[Wire.HEADER_SIZE + second[2] - second[0]];
        System.arraycopy(trace, 0, alone, 0, Wire.HEADER_SIZE);
        System.arraycopy(trace, second[0], alone, Wire.HEADER_SIZE, second[2] - second[0]);
        assertThatThrownBy(() -> TraceModel.read(new ByteArrayInputStream(alone)))
                .isInstanceOf(CorruptTraceException.class)
                .hasMessageContaining("were read before it (a segment before it is missing)");

        // Started from the tables a reader of the whole file held after the first segment, it reads as there.
        TraceReader.Tables[] afterFirst = new TraceReader.Tables[1];
        List<String> inWhole = new ArrayList<>();
        try (TraceReader whole = new TraceReader(new ByteArrayInputStream(trace))) {
            whole.read(new Strings(inWhole) {
                @Override
                public void onSegment(long sequence, long offset, long dropped) {
                    if (afterFirst[0] == null) {
                        afterFirst[0] = whole.tables();
                    }
                    super.onSegment(sequence, offset, dropped);
                }
            });
        }
        List<String> alone2 = new ArrayList<>();
        try (TraceReader part = new TraceReader(new ByteArrayInputStream(alone), afterFirst[0])) {
            part.read(new Strings(alone2));
        }
        int from = inWhole.indexOf("segment 1");
        int to = inWhole.indexOf("segment 2");
        List<String> wanted = new ArrayList<>(List.of("segment 0"));
        wanted.addAll(inWhole.subList(from + 1, to < 0 ? inWhole.size() : to));
        assertThat(alone2).hasSizeGreaterThan(1).isEqualTo(wanted);
    }

    /** The strings events carry, and a mark at each segment. */
    private static class Strings implements TraceHandler {
        private final List<String> out;
        private int segment;

        Strings(List<String> out) {
            this.out = out;
        }

        @Override
        public void onSegment(long sequence, long offset, long dropped) {
            out.add("segment " + segment++);
        }

        @Override
        public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
            out.add(type);
        }

        @Override
        public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
            out.add(name);
        }

        @Override
        public void onTaskEnd(long time, long thread, long task, String outcome) {
            out.add(outcome);
        }

        @Override
        public void onLog(long time, long thread, long task, String category, String message) {
            out.add(category + ": " + message);
        }

        @Override
        public void onAttribute(long time, long thread, long id, boolean span, String key, String value) {
            out.add(key + "=" + value);
        }
    }

    @Test
    void freshRecordingMatchesTheGoldenContent() throws IOException {
        assertGoldenContent(fresh, Wire.VERSION);
    }

    @Test
    void truncationAtEveryOffsetKeepsEveryCompleteSegment() throws IOException {
        truncationAtEveryOffset(committedGolden(1));
        truncationAtEveryOffset(committedGolden(2));
        truncationAtEveryOffset(committedGolden(3));
    }

    private static void truncationAtEveryOffset(byte[] trace) throws IOException {
        List<int[]> segments = TraceFixtures.segments(trace);
        long previousEvents = 0;
        for (int cut = 0; cut < trace.length; cut++) {
            TraceReader reader = new TraceReader(new ByteArrayInputStream(Arrays.copyOf(trace, cut)));
            reader.read(new TraceHandler() { });
            assertThat(reader.truncated()).as("cut at %d", cut).isTrue();
            assertThat(reader.complete()).isFalse();
            int whole = 0;
            for (int[] seg : segments) {
                if (seg[2] <= cut) {
                    whole++;
                }
            }
            assertThat(reader.segments()).as("complete segments before %d", cut).isEqualTo(whole);
            assertThat(reader.events()).isGreaterThanOrEqualTo(previousEvents);
            previousEvents = reader.events();
            long expectedAt = whole == 0 ? Math.min(cut, cut < Wire.HEADER_SIZE ? cut : Wire.HEADER_SIZE)
                    : segments.get(whole - 1)[2];
            assertThat(reader.truncatedAt()).as("truncatedAt for cut %d", cut).isEqualTo(expectedAt);
        }
    }

    @Test
    void badMagicWrongVersionAndHostileLengths() throws IOException {
        byte[] trace = committedGolden();
        assertThatThrownBy(() -> TraceModel.read(new ByteArrayInputStream("hello world, not a trace".getBytes())))
                .isInstanceOf(CorruptTraceException.class)
                .hasMessage("not an asynctrace trace (bad magic) at byte offset 0");

        byte[] v4 = trace.clone();
        v4[9] = 4;
        assertThatThrownBy(() -> TraceModel.read(new ByteArrayInputStream(v4)))
                .isInstanceOf(UnsupportedVersionException.class)
                .hasMessageContaining("version 4 is not supported");
        byte[] v0 = trace.clone();
        v0[9] = 0;
        assertThatThrownBy(() -> TraceModel.read(new ByteArrayInputStream(v0)))
                .isInstanceOf(UnsupportedVersionException.class);

        byte[] huge = Arrays.copyOf(trace, Wire.HEADER_SIZE + Wire.SEGMENT_PREFIX + 10);
        huge[Wire.HEADER_SIZE + 1] = 0x7F; // length 2 GiB
        assertThatThrownBy(() -> TraceModel.read(new ByteArrayInputStream(huge)))
                .isInstanceOf(CorruptTraceException.class)
                .hasMessageContaining("out of range")
                .extracting(e -> ((CorruptTraceException) e).offset()).isEqualTo((long) Wire.HEADER_SIZE + 1);

        byte[] claimsMuch = Arrays.copyOf(trace, Wire.HEADER_SIZE + Wire.SEGMENT_PREFIX + 10);
        claimsMuch[Wire.HEADER_SIZE + 1] = 0x03; // 48 MiB claimed, 10 bytes present: truncated, no big allocation
        TraceModel m = TraceModels.read(claimsMuch);
        assertThat(m.truncated()).isTrue();
        assertThat(m.truncatedAt()).isEqualTo(Wire.HEADER_SIZE);

        byte[] flipped = trace.clone();
        flipped[Wire.HEADER_SIZE + Wire.SEGMENT_PREFIX + 3] ^= 0x40;
        assertThatThrownBy(() -> TraceModel.read(new ByteArrayInputStream(flipped)))
                .isInstanceOf(CorruptTraceException.class)
                .hasMessage("segment checksum mismatch at byte offset " + Wire.HEADER_SIZE);
    }
}
