package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.internal.format.EventCursor;
import io.asynctrace.internal.format.FormatException;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The string table: each distinct string once per file (format 3), a byte budget past
 * which strings go inline, keyed on the cut string.
 */
class StringTableTest {

    @AfterEach
    void stop() {
        Trace.stop();
    }

    /** The strings the segments of {@code trace} (format 3) put into its table, all told. */
    private static long tableStrings(byte[] trace) throws FormatException {
        long all = 0;
        for (int[] seg : TraceFixtures.segments(trace)) {
            EventCursor c = new EventCursor().reset(trace, seg[1], seg[2]);
            c.readByte();
            c.readVar();
            c.readVar();
            c.readVar(); // first id
            all += c.readVar();
        }
        return all;
    }

    /** How many times {@code s}'s UTF-8 bytes occur in {@code trace}. */
    private static int occurrences(byte[] trace, String s) {
        byte[] needle = s.getBytes(StandardCharsets.UTF_8);
        int n = 0;
        outer:
        for (int i = 0; i + needle.length <= trace.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (trace[i + k] != needle[k]) {
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }

    @Test
    void eachDistinctStringAndFrameGoesIntoTheFileOnceNotOncePerSegment() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withStackDepth(4));
        String name = "SELECT name FROM customers WHERE " + "x".repeat(900);
        for (int i = 0; i < 5; i++) {
            Task t = Trace.newTask("order");
            try (Scope s = t.makeCurrent()) {
                Trace.withSpan(name, () -> { });
            }
            t.end();
            assertThat(Trace.flush()).isTrue(); // one segment each
        }
        Trace.stop();
        byte[] trace = out.toByteArray();
        assertThat(TraceFixtures.segments(trace)).hasSizeGreaterThanOrEqualTo(5);
        assertThat(occurrences(trace, name)).as("the span name").isEqualTo(1);
        assertThat(occurrences(trace, StringTableTest.class.getName())).as("the frames' class").isEqualTo(1);
        TraceModel m = TraceModel.read(new ByteArrayInputStream(trace));
        assertThat(m.spans()).hasSize(5).allSatisfy(sp -> {
            assertThat(sp.name()).isEqualTo(name);
            assertThat(sp.stack()).isNotNull();
        });
        assertThat(m.tasks()).hasSize(5).allSatisfy(t -> assertThat(t.type()).isEqualTo("order"));
    }

    @Test
    void aFlightSnapshotWhoseFirstSegmentsWereEvictedHasEveryStringItsSegmentsUse() throws Exception {
        FlightRecorder f = new FlightRecorder(java.time.Duration.ofMillis(50), 64 << 10).withOptions(
                TraceOptions.defaults().withFlushIntervalMillis(10));
        f.start();
        try {
            Trace.withSpan("interned-first", () -> { });
            FlightRing ring = Recordings.ringForTest();
            Await.until("the segment that interned the name evicted", () -> {
                Trace.withSpan("interned-first", () -> { }); // the id given in that segment
                return ring.evicted() >= 3;
            });
            ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
            f.writeTo(snapshot);
            TraceModel m = TraceModel.read(new ByteArrayInputStream(snapshot.toByteArray()));
            assertThat(m.complete()).isTrue();
            assertThat(m.spans()).isNotEmpty().allSatisfy(sp -> assertThat(sp.name()).isEqualTo("interned-first"));
        } finally {
            f.stop();
        }
    }

    @Test
    void namesPastTheBudgetAreWrittenInlineAndReadBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withMaxStringTableBytes(10_000));
        for (int i = 0; i < 100; i++) {
            Trace.withSpan(String.format("%04d", i) + "s".repeat(996), () -> { });
        }
        Trace.stop();
        byte[] trace = out.toByteArray();
        TraceModel m = TraceModel.read(new ByteArrayInputStream(trace));
        Set<String> names = m.spans().stream().map(SpanInfo::name).collect(Collectors.toSet());
        assertThat(names).hasSize(100).allMatch(n -> n.length() == 1000);
        assertThat(tableStrings(trace)).as("strings in the table").isBetween(1L, 10L);
    }

    @Test
    void manyLongDistinctNamesKeepTheFileNearTheirOwnSize() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withFlushIntervalMillis(10).withMaxStringTableBytes(64 << 10));
        long namesBytes = 0;
        for (int i = 0; i < 5_000; i++) {
            String sql = "SELECT * FROM orders WHERE id = " + i + " AND note = '" + "n".repeat(960) + "'";
            namesBytes += sql.length();
            Trace.withSpan(sql, () -> { });
            if (i % 500 == 0) {
                Thread.sleep(15); // a segment now and then: the table must not be repeated in full in each
            }
        }
        RecordingStats stats = Trace.stop();
        assertThat(stats.failure()).isEmpty();
        assertThat(TraceModel.read(new ByteArrayInputStream(out.toByteArray())).spans()).hasSize(5_000);
        assertThat((double) out.size()).as("file bytes per name byte").isLessThan(2.0 * namesBytes);
    }

    @Test
    void theTableKeysOnTheCutStringNotTheCallersOriginal() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        String prefix = "p".repeat(1024);
        Trace.withSpan(prefix + "first tail", () -> { });
        Trace.withSpan(prefix + "second tail", () -> { });
        Trace.stop();
        byte[] trace = out.toByteArray();
        assertThat(tableStrings(trace)).as("one entry for two names that differ only past the cut").isEqualTo(1);
        TraceModel m = TraceModel.read(new ByteArrayInputStream(trace));
        assertThat(m.spans()).extracting(SpanInfo::name).containsOnly(prefix);
    }

    @Test
    void theBudgetIsCheckedAndPartOfTheOptions() throws IOException {
        assertThatThrownBy(() -> TraceOptions.defaults().withMaxStringTableBytes(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TraceOptions.defaults().withMaxStringTableBytes(17 << 20))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TraceOptions.defaults().maxStringTableBytes()).isEqualTo(TraceOptions.DEFAULT_STRING_TABLE_BYTES);
        assertThat(TraceOptions.defaults().withMaxStringTableBytes(0)).isNotEqualTo(TraceOptions.defaults());
    }
}
