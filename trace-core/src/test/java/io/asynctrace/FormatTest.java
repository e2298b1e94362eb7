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

/** The golden files of formats v1 and v2, truncation at every offset, and hostile headers. */
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
    void freshRecordingMatchesTheGoldenContent() throws IOException {
        assertGoldenContent(fresh, Wire.VERSION);
    }

    @Test
    void truncationAtEveryOffsetKeepsEveryCompleteSegment() throws IOException {
        truncationAtEveryOffset(committedGolden(1));
        truncationAtEveryOffset(committedGolden(2));
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

        byte[] v3 = trace.clone();
        v3[9] = 3;
        assertThatThrownBy(() -> TraceModel.read(new ByteArrayInputStream(v3)))
                .isInstanceOf(UnsupportedVersionException.class)
                .hasMessageContaining("version 3 is not supported");
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
