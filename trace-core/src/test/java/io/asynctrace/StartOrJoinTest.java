package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trace.startOrJoin's three cases (review 13b DOCS 7): the caller learns which happened. */
class StartOrJoinTest {
    private static final TraceOptions MINE = FlightFixtures.FAST.withStackDepth(4);
    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        flights.stopAll();
    }

    @Test
    void withNothingRunningItStartsWithTheGivenOptions() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Trace.startOrJoin(out, MINE)).as("started").isTrue();
        assertThat(Recorder.active.options).isEqualTo(MINE);
        Trace.newTask("mine").end();
        Trace.stop();
        assertThat(Trace.isEnabled()).isFalse();
        TraceModel m = TraceModel.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(m.complete()).isTrue();
        assertThat(m.tasks()).singleElement().satisfies(t -> assertThat(t.stack()).as("stack depth 4 applied").isNotNull());
    }

    @Test
    void besideAFlightRecorderItJoinsWithTheRecordersOptions() throws Exception {
        TraceOptions flightOptions = FlightFixtures.FAST;
        FlightRecorder f = flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(flightOptions));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Trace.startOrJoin(out, MINE)).as("joined").isFalse();
        assertThat(Recorder.active.options).as("the running recording's, not the caller's").isEqualTo(flightOptions);
        Trace.newTask("joined").end();
        Trace.stop();
        assertThat(f.isRunning()).as("the flight recorder goes on").isTrue();
        TraceModel m = TraceModel.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(m.tasks()).singleElement().satisfies(t -> assertThat(t.stack()).as("no stacks: depth 0").isNull());
    }

    @Test
    void withATraceStartOutputAttachedItThrowsAndLeavesItAsItWas() {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        Trace.start(first);
        assertThatThrownBy(() -> Trace.startOrJoin(new ByteArrayOutputStream(), MINE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already on");
        assertThat(Recordings.fileForTest()).isNotNull();
        Trace.stop();
        assertThat(Trace.isEnabled()).isFalse();
    }
}
