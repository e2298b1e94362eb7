package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceHeader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Review of d742471: a task whose end was forgotten as an orphan, then whose begin came, was counted forgotten twice (now its end waits: it is sent). */
class Review48MapperTest {
    @Test
    void aLateBeginAfterItsEndWasForgottenCountsOneTaskOnce() {
        List<SpanData> out = new ArrayList<>();
        LiveMapper.Counts counts = new LiveMapper.Counts();
        LiveMapper m = new LiveMapper(Resource.empty(), out::add, counts, () -> { });
        m.onHeader(new TraceHeader(3, 1_000_000_000L, 0));
        m.onSegment(0, 0, 0);
        m.onTaskEnd(20, 2, 1, null); // the end, on a busy thread
        m.onSegment(1, 0, 0);
        m.onSegment(2, 0, 0); // forgotten here
        m.onSegment(3, 0, 0);
        m.onTaskBegin(10, 1, 1, 0, "late", false); // its begin, from an idle thread's buffer stolen at a flush
        for (long id = 2; id <= LiveMapper.MAX_OPEN + 1; id++) { // an application with many tasks open
            m.onTaskBegin(30, 1, id, 0, "open", false);
        }
        System.out.println("forgotten " + counts.forgotten.get());
        // Fixed by waiting for a late begin instead of forgetting its end after two segments: the task is sent.
        assertThat(out).extracting(SpanData::getName).containsExactly("late");
        assertThat(counts.forgotten.get()).as("nothing forgotten").isZero();
    }
}
