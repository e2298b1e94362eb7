package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.internal.format.EventCursor;
import io.asynctrace.internal.format.FormatException;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The string table's byte budget: strings past it go inline, and the table keys on the cut string. */
class StringTableTest {

    @AfterEach
    void stop() {
        Trace.stop();
    }

    /** The largest string count any segment of {@code trace} carries. */
    private static long largestTable(byte[] trace) throws FormatException {
        long most = 0;
        for (int[] seg : TraceFixtures.segments(trace)) {
            EventCursor c = new EventCursor().reset(trace, seg[1], seg[2]);
            c.readByte();
            c.readVar();
            c.readVar();
            most = Math.max(most, c.readVar());
        }
        return most;
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
        assertThat(largestTable(trace)).as("strings in the table").isBetween(1L, 10L);
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
        assertThat(largestTable(trace)).as("one entry for two names that differ only past the cut").isEqualTo(1);
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
