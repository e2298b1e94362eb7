package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceHeader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Review of b041af7 (LiveMapper): fails on main. */
class LiveMapperReviewTest {
    private static final String REMOTE_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    /**
     * A request task joined an incoming traceparent (trace.id / trace.parent_id) and ended on
     * the event loop; its child began on a worker thread whose batch the segment holds after
     * the parent's end (threads' batches interleave). The parent is emitted at its end with
     * hasChildren false, so its trace is not kept in {@code recent}; the child then falls back
     * to ids.trace(parent), a trace of its own, while its parent span id points into the
     * remote trace. The file export (SpanMapper) puts the child in the parent's trace.
     */
    @Test
    void aChildWhoseBeginIsReadAfterItsParentEndedStaysInTheParentsTrace() {
        List<SpanData> out = new ArrayList<>();
        LiveMapper m = new LiveMapper(Resource.empty(), out::add, new LiveMapper.Counts(), () -> { });
        m.onHeader(new TraceHeader(3, 1_000_000_000L, 0));
        m.onSegment(0, 0, 0);
        long loop = 1;
        long worker = 2;
        // the event loop's batch: the request, its incoming trace, its end
        m.onTaskBegin(10, loop, 100, 0, "request", false);
        m.onAttribute(10, loop, 100, false, "trace.id", REMOTE_TRACE);
        m.onAttribute(10, loop, 100, false, "trace.parent_id", "00f067aa0ba902b7");
        m.onTaskEnd(50, loop, 100, "ok");
        // the worker's batch, read after it: the child begun at 20, ended at 40
        m.onTaskBegin(20, worker, 101, 100, "db", false);
        m.onTaskEnd(40, worker, 101, "ok");
        m.onSegment(1, 0, 0);
        m.onSegment(2, 0, 0);
        m.finish();

        SpanData request = out.stream().filter(s -> s.getName().equals("request")).findFirst().orElseThrow();
        SpanData db = out.stream().filter(s -> s.getName().equals("db")).findFirst().orElseThrow();
        assertThat(request.getTraceId()).isEqualTo(REMOTE_TRACE);
        assertThat(db.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(db.getTraceId()).as("the child is in its parent's trace").isEqualTo(REMOTE_TRACE);
    }
}
