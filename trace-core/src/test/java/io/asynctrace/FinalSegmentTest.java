package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A trace ends with its last segment flagged final: no empty segment after it. */
class FinalSegmentTest {
    @AfterEach
    void stop() {
        Trace.stop();
        FlightRecorder f = FlightRecorder.running();
        if (f != null) {
            f.stop();
        }
    }

    /** Events (batch headers left out) in each segment of {@code trace}, in file order; the reader says complete. */
    static List<Long> eventsPerSegment(byte[] trace) throws IOException {
        List<Long> starts = new ArrayList<>();
        long total;
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(trace))) {
            reader.read(new TraceHandler() {
                @Override
                public void onSegment(long sequence, long offset, long dropped) {
                    starts.add(reader.events());
                }
            });
            assertThat(reader.complete()).as("the trace ends with a final segment").isTrue();
            total = reader.events();
        }
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            counts.add((i + 1 < starts.size() ? starts.get(i + 1) : total) - starts.get(i));
        }
        return counts;
    }

    @Test
    void aStoppedTraceEndsWithItsLastEventsInTheFinalSegment() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        Trace.log("only", "event");
        Trace.stop();
        assertThat(eventsPerSegment(out.toByteArray())).as("one segment, final, with the log").containsExactly(1L);
    }

    @Test
    void anOutputLeavingARunningFlightRecorderEndsWithItsLastEventsInTheFinalSegment() throws Exception {
        new FlightRecorder(Duration.ofSeconds(10), 1 << 20).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        Trace.log("first", "event");
        assertThat(Trace.flush()).isTrue();
        Trace.log("last", "event");
        Trace.stop();
        assertThat(eventsPerSegment(out.toByteArray())).as("every segment has events, the final one too")
                .containsExactly(1L, 1L);
    }
}
