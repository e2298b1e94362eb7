package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.testing.NoLeftovers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Configuration fails fast: every documented range of TraceOptions, RuntimeEvents and FlightRecorder. */
@ExtendWith(NoLeftovers.class)
class OptionsTest {
    private static final TraceOptions D = TraceOptions.defaults();

    @Test
    void bufferSizeFrom16KiBTo16MiB() {
        assertThat(D.withBufferSize(16 * 1024).bufferSize()).isEqualTo(16 * 1024);
        assertThat(D.withBufferSize(16 << 20).bufferSize()).isEqualTo(16 << 20);
        assertThatThrownBy(() -> D.withBufferSize(16 * 1024 - 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bufferSize must be between 16 KiB and 16 MiB, was 16383");
        assertThatThrownBy(() -> D.withBufferSize((16 << 20) + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> D.withBufferSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void maxBuffersAtLeastFourAndThreadBuffersAtMostHalf() {
        assertThat(D.withMaxBuffers(4).maxBuffers()).isEqualTo(4);
        assertThatThrownBy(() -> D.withMaxBuffers(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBuffers must be at least 4, was 3");
        TraceOptions eight = D.withMaxBuffers(8);
        assertThat(eight.maxThreadBuffers()).as("lowered to half of maxBuffers").isEqualTo(4);
        assertThat(eight.withMaxThreadBuffers(0).maxThreadBuffers()).isZero();
        assertThat(eight.withMaxThreadBuffers(4).maxThreadBuffers()).isEqualTo(4);
        assertThatThrownBy(() -> eight.withMaxThreadBuffers(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxThreadBuffers must be between 0 and maxBuffers/2 = 4, was 5");
        assertThatThrownBy(() -> eight.withMaxThreadBuffers(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void flushIntervalFrom10MillisecondsToAMinute() {
        assertThat(D.withFlushIntervalMillis(10).flushIntervalMillis()).isEqualTo(10);
        assertThat(D.withFlushIntervalMillis(60_000).flushIntervalMillis()).isEqualTo(60_000);
        assertThatThrownBy(() -> D.withFlushIntervalMillis(9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("flushIntervalMillis must be between 10 and 60000, was 9");
        assertThatThrownBy(() -> D.withFlushIntervalMillis(60_001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsAreImmutableCopies() {
        TraceOptions strict = D.withStrict(true);
        assertThat(strict).isNotSameAs(D);
        assertThat(D.strict()).isFalse();
        assertThat(strict.strict()).isTrue();
        assertThat(D.runtimeEvents()).as("runtime events are off by default").isNull();
        assertThat(D.withRuntimeEvents(RuntimeEvents.defaults()).runtimeEvents()).isSameAs(RuntimeEvents.defaults());
        assertThat(D.withRuntimeEvents(RuntimeEvents.defaults()).withRuntimeEvents(null).runtimeEvents()).isNull();
    }

    @Test
    void runtimeEventThresholdsMustNotBeNegative() {
        RuntimeEvents d = RuntimeEvents.defaults();
        assertThat(d.blockingThreshold()).isEqualTo(Duration.ofMillis(10));
        assertThat(d.socketThreshold()).isEqualTo(Duration.ofMillis(10));
        assertThat(d.threadLifecycle()).isTrue();
        assertThat(d.withBlockingThreshold(Duration.ZERO).blockingThreshold()).isZero();
        assertThat(d.withSocketThreshold(Duration.ZERO).socketThreshold()).isZero();
        assertThatThrownBy(() -> d.withBlockingThreshold(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold must not be negative");
        assertThatThrownBy(() -> d.withSocketThreshold(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold must not be negative");
        assertThatThrownBy(() -> d.withBlockingThreshold(null)).isInstanceOf(NullPointerException.class);
        assertThat(d.withThreadLifecycle(false).threadLifecycle()).isFalse();
    }

    @Test
    void flightRecorderBoundsAndTriggers() {
        assertThatThrownBy(() -> new FlightRecorder(Duration.ofNanos(999_999), 1 << 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minAge must be at least 1 ms");
        assertThatThrownBy(() -> new FlightRecorder(Duration.ofSeconds(1), 64 * 1024 - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBytes must be at least 64 KiB");
        assertThatThrownBy(() -> new FlightRecorder(null, 1 << 20)).isInstanceOf(NullPointerException.class);
        FlightRecorder f = new FlightRecorder(Duration.ofMillis(1), 64 * 1024);
        assertThat(f.withSnapshotInterval(Duration.ZERO)).isSameAs(f);
        assertThatThrownBy(() -> f.withSnapshotInterval(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> f.snapshotWhen("order", Duration.ofMillis(-1), name -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold must not be negative");
        assertThatThrownBy(() -> f.snapshotWhen("order", Duration.ZERO, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.snapshotOnError(null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.withOptions(null)).isInstanceOf(NullPointerException.class);
        assertThat(f.isRunning()).isFalse();
        assertThat(f.retainedBytes()).isZero();
        assertThatThrownBy(() -> f.writeTo(new java.io.ByteArrayOutputStream()))
                .isInstanceOf(IllegalStateException.class).hasMessage("the flight recorder is not running");
        f.stop(); // not running: nothing to do
        assertThat(FlightRecorder.running()).isNull();
    }

    @Test
    void startRejectsNulls() {
        assertThatThrownBy(() -> Trace.start(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Trace.start(new java.io.ByteArrayOutputStream(), null))
                .isInstanceOf(NullPointerException.class);
        assertThat(Trace.isEnabled()).isFalse();
    }
}
