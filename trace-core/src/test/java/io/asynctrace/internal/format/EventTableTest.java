package io.asynctrace.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event table, its encoder and its walker agree, and docs/FORMAT.md lists every row. */
class EventTableTest {

    /** One event of every kind, written by the encoder behind one batch header. */
    private static int writeOneOfEach(byte[] d) {
        BatchState b = new BatchState();
        int p = EventEncoder.batch(d, 0, b, 7, 0, "main", 100, 100);
        p = EventEncoder.taskBegin(d, p, b, 101, 50, 40, 1, "order", false, 0, EventEncoder.NO_STACK);
        p = EventEncoder.taskBegin(d, p, b, 102, 60, 0, 0, "inline type", true, 30, EventEncoder.NO_STACK);
        p = EventEncoder.taskEnd(d, p, b, 103, 50, 2, "ok");
        p = EventEncoder.spanBegin(d, p, b, 104, 70, 65, 50, 3, "brew", EventEncoder.NO_STACK);
        p = EventEncoder.idEvent(d, p, b, Wire.SPAN_END, 105, 70);
        p = EventEncoder.log(d, p, b, 106, 50, 0, "cat", "hello", 5, 5, EventEncoder.NO_STACK);
        p = EventEncoder.log(d, p, b, 107, 50, 0, "cat", "hello world", 5, 11, EventEncoder.NO_STACK);
        p = EventEncoder.attribute(d, p, b, 108, false, 50, 0, "tier", "gold", 4);
        p = EventEncoder.attribute(d, p, b, 109, true, 70, 0, "beans", "arabica", 7);
        p = EventEncoder.misuse(d, p, b, 110, Wire.MISUSE_SPAN_ENDED_TWICE, 70);
        p = EventEncoder.jobQueued(d, p, b, 111, 80, 50, EventEncoder.NO_STACK);
        p = EventEncoder.idEvent(d, p, b, Wire.JOB_START, 112, 80);
        p = EventEncoder.idEvent(d, p, b, Wire.JOB_END, 113, 80);
        p = EventEncoder.batchResume(d, p, 7, 0, "main", 113, 80, 50);
        p = EventEncoder.runtime(d, p, b, 114, Wire.RUNTIME_GC_PAUSE, 9, 3, 0, "G1 Young", EventEncoder.NO_STACK);
        return p;
    }

    @Test
    void theWalkerReadsBackWhatTheEncoderWroteForEveryRow() throws FormatException {
        byte[] d = new byte[4096];
        int end = writeOneOfEach(d);
        String[] table = {null, "order", "ok", "brew"};
        EventCursor c = new EventCursor().reset(d, 0, end);
        List<String> got = new ArrayList<>();
        List<Byte> kinds = new ArrayList<>();
        while (c.next()) {
            kinds.add(c.type());
            StringBuilder line = new StringBuilder(c.spec().name()).append(" t=").append(c.time());
            for (int i = 0; i < c.spec().arity(); i++) {
                EventSpec.Coding coding = c.spec().coding(i);
                line.append(' ').append(coding == EventSpec.Coding.REF || coding == EventSpec.Coding.STRING
                        ? c.string(i, table) : Long.toString(c.arg(i)));
            }
            got.add(line.toString());
        }
        assertThat(got).containsExactly(
                "BATCH t=100 7 main 100",
                "TASK_BEGIN t=101 50 40 order",
                "TASK_BEGIN_EARLIER t=102 60 0 inline type 30",
                "TASK_END t=103 50 ok",
                "SPAN_BEGIN t=104 70 65 50 brew",
                "SPAN_END t=105 70",
                "LOG t=106 50 cat hello",
                "LOG_CUT t=107 50 cat hello 11",
                "TASK_ATTR t=108 50 tier gold",
                "SPAN_ATTR t=109 70 beans arabica",
                "MISUSE t=110 1 70",
                "JOB_QUEUED t=111 80 50",
                "JOB_START t=112 80",
                "JOB_END t=113 80",
                "BATCH_RESUME t=113 7 main 113 80 50",
                "RUNTIME t=114 1 9 3 G1 Young");
        // Every row of the table was exercised: a new kind must be added to this test too.
        assertThat(kinds).containsExactlyInAnyOrderElementsOf(EventTable.rows().stream().map(EventSpec::code).toList());
    }

    @Test
    void everyPrefixOfAnEventIsReportedNotOverrun() {
        byte[] d = new byte[4096];
        int end = writeOneOfEach(d);
        for (int cut = 1; cut < end; cut++) {
            EventCursor c = new EventCursor().reset(d, 0, cut);
            int at = cut;
            try {
                while (c.next()) {
                    assertThat(c.position()).isLessThanOrEqualTo(at);
                }
            } catch (FormatException e) {
                assertThat(e.position()).isBetween(0, at);
            }
        }
    }

    @Test
    void unknownTypesAndEventsOutsideABatchAreFormatErrors() {
        byte[] unknown = {0x7F, 0};
        assertThatThrownBy(() -> new EventCursor().reset(unknown, 0, 2).next()).isInstanceOf(FormatException.class)
                .hasMessage("unknown event type 0x7f");
        byte[] orphan = {Wire.SPAN_END, 0, 2};
        assertThatThrownBy(() -> new EventCursor().reset(orphan, 0, 3).next()).isInstanceOf(FormatException.class)
                .hasMessage("event before any batch header");
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String s = "a".repeat(1023) + "\uD83D\uDE00" + "b";
        assertThat(Codec.cut(s, 1024)).isEqualTo(1023);
        assertThat(Codec.cutString(s, 1025)).endsWith("\uD83D\uDE00");
        byte[] d = new byte[8192];
        int end = Codec.putString(d, 0, s, Codec.cut(s, 1024));
        assertThat(Codec.decodeString(d, 2, end - 2)).isEqualTo("a".repeat(1023));
    }

    @Test
    void formatMdListsEveryEventKindWithItsTypeByte() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "FORMAT.md"));
        for (EventSpec row : EventTable.rows()) {
            String code = String.format("%02X", row.code() & 0xFF);
            assertThat(doc).as("FORMAT.md's event list").containsPattern("(?m)^" + row.name() + " +" + code + " \\|");
        }
    }
}
