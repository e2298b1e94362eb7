package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceHeader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The live exporter's pairing of begins and ends, driven event by event as the reader would. */
class LiveMapperTest {
    private final List<SpanData> out = new ArrayList<>();
    private final LiveMapper.Counts counts = new LiveMapper.Counts();
    private final LiveMapper m = new LiveMapper(Resource.empty(), out::add, counts, () -> { });
    private long segment;

    @BeforeEach
    void header() {
        m.onHeader(new TraceHeader(3, 1_000_000_000L, 0));
        segment();
    }

    private void segment() {
        m.onSegment(segment++, 0, 0);
    }

    @Test
    void anEndWhoseBeginWasDroppedIsCountedOnceAsATaskNotAsEventsAndWhatComesOfItLaterIsIgnored() {
        m.onSegment(segment++, 0, 7); // a segment the tap's queue dropped: 7 events, one of them task 1's begin
        m.onTaskEnd(50, 1, 1, "ok");
        for (int i = 0; i < 10; i++) {
            segment(); // a begin can come a whole flush interval late: it is waited for
        }
        assertThat(counts.forgotten.get()).isZero();
        for (long id = 2; id <= LiveMapper.MAX_ORPHANS + 1; id++) {
            m.onTaskEnd(60, 1, id, "ok"); // as many newer ends without begins: the eldest, task 1, is given up
        }
        assertThat(counts.forgotten.get()).isEqualTo(1);
        assertThat(counts.dropped.get()).as("events, as the segments count them; nothing added per task").isEqualTo(7);
        m.onTaskBegin(10, 1, 1, 0, "late", false); // after it was forgotten: ignored, not a new open task
        m.finish();
        assertThat(out).isEmpty();
        assertThat(counts.forgotten.get()).as("task 1 once, and the ends left at the end").isEqualTo(LiveMapper.MAX_ORPHANS + 1);
    }

    @Test
    void anEndReadManySegmentsBeforeItsBeginIsStillSent() {
        m.onTaskEnd(50, 2, 1, "ok"); // the begin sat in an idle thread's buffer until a flush
        for (int i = 0; i < 20; i++) {
            segment();
        }
        m.onTaskBegin(10, 1, 1, 0, "order", false);
        m.finish();
        assertThat(out).extracting(SpanData::getName).containsExactly("order");
        assertThat(counts.forgotten.get()).isZero();
    }

    @Test
    void anEndReadBeforeItsBeginInTheNextSegmentIsStillSentAndNotCounted() {
        m.onTaskEnd(50, 2, 1, "ok"); // threads' batches interleave: the end first
        segment();
        m.onTaskBegin(10, 1, 1, 0, "order", false);
        segment();
        segment();
        segment();
        m.finish();
        assertThat(out).extracting(SpanData::getName).containsExactly("order");
        assertThat(counts.forgotten.get()).isZero();
    }

    @Test
    void endsWithoutBeginsLeftAtTheTraceEndAreCounted() {
        m.onTaskEnd(50, 2, 1, "ok");
        m.onTaskEnd(51, 2, 2, "ok");
        m.finish();
        assertThat(counts.forgotten.get()).isEqualTo(2);
    }

    @Test
    void orphanEndsNoLongerFillTheOpenTasksSoALongTaskSurvivesThem() {
        m.onTaskBegin(1, 1, 1, 0, "long", false); // a long-lived task, begun first: the eldest entry
        long id = 2;
        for (int s = 0; s < 8; s++) { // twice as many orphan ends as the open map holds, over eight segments
            for (int i = 0; i < LiveMapper.MAX_OPEN / 4; i++) {
                m.onTaskEnd(10, 2, id++, "ok");
            }
            segment();
        }
        m.onTaskEnd(100, 1, 1, "ok");
        m.finish();
        assertThat(out).extracting(SpanData::getName).containsExactly("long");
        assertThat(counts.forgotten.get()).isEqualTo(id - 2);
    }

    /** An attribute read after its task was sent, or before anything else of it, is not in the span: counted. */
    @Test
    void attributesTooLateForTheSpanAreCounted() {
        m.onTaskBegin(10, 1, 1, 0, "order", false);
        m.onAttribute(11, 1, 1, false, "region", "ap");
        m.onTaskEnd(50, 1, 1, "ok"); // sent at its end
        m.onAttribute(60, 1, 1, false, "account", "42"); // set after its end
        m.onAttribute(61, 1, 2, false, "region", "eu"); // before anything else of task 2
        m.onAttribute(62, 1, 7, true, "k", "v"); // a span's: the file export's business, not counted
        m.onTaskBegin(70, 1, 2, 0, "order", false);
        m.onTaskEnd(80, 1, 2, "ok");
        m.finish();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).getAttributes().asMap().keySet()).extracting(Object::toString).contains("region")
                .doesNotContain("account");
        assertThat(counts.lateAttributes.get()).isEqualTo(2);
    }
}
