package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.testing.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trace.flush: true only when everything recorded before it reached the output; never waits forever. */
class FlushTest {
    private static final TraceOptions FAST = FlightFixtures.FAST;
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        Trace.stop();
    }

    /** An output whose writes block (after the header) until {@link #release}. */
    private OutputStream stalling() {
        return new OutputStream() {
            private boolean headerWritten;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (!headerWritten) {
                    headerWritten = true;
                    return;
                }
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        };
    }

    /** Review 13 item 6: a segment the output's full queue refused was not counted, and flush said true. */
    @Test
    void aFlushAfterTheOutputLostASegmentSaysFalseAndTheNextOneTrue() throws Exception {
        Trace.start(stalling(), FAST);
        StreamSink sink = Recordings.fileForTest();
        Await.until("the output refused a segment (its queue full while the stream blocks)", () -> {
            Trace.newTask("filling").end();
            return sink.droppedSoFar() > 0;
        });
        release.countDown();
        assertThat(Trace.flush()).as("events recorded before the flush were lost").isFalse();
        Trace.newTask("after").end();
        assertThat(Trace.flush()).as("nothing lost since the previous flush").isTrue();
    }

    /** Review 13 item 6: a stream that never returns held Trace.flush forever. */
    @Test
    void aFlushGivesUpOnAStreamThatStaysBlocked() throws Exception {
        Trace.start(stalling(), FAST);
        Trace.newTask("one").end();
        Await.latch("the output's thread blocks in write", blocked);
        Trace.newTask("two").end();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<Boolean> flushed = pool.submit(
                    () -> Recordings.flushFile(TimeUnit.MILLISECONDS.toNanos(200)));
            assertThat(Await.value("a flush while the stream stays blocked", flushed))
                    .as("not delivered within the bound").isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Review 13b RISK 3: the bound covered only the output; the writer's own wait (a second
     * for a stripe whose holder keeps it) came on top, and flush said true after it.
     */
    @Test
    void theBoundCoversTheWritersWaitForAHeldStripe() throws Exception {
        Trace.start(new java.io.ByteArrayOutputStream(), FAST.withMaxThreadBuffers(0));
        Stripe s = Recorder.active.stripes[0];
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = new Thread(() -> Await.latch("the test ends", done), "stripe-holder");
        holder.start();
        try {
            assertThat(s.tryLock(holder)).isTrue();
            Trace.log("before", "the flush");
            assertThat(Recordings.flushFile(TimeUnit.MILLISECONDS.toNanos(200)))
                    .as("the writer waits a second for the held stripe: past the bound").isFalse();
        } finally {
            s.unlock();
            done.countDown();
            Await.joined(holder);
        }
    }

    /** Review 13b RISK 3: with only a flight recorder, flush said true whatever the recording dropped. */
    @Test
    void withOnlyAFlightRecorderAFlushAfterDropsSaysFalse() throws Exception {
        FlightRecorder f = new FlightRecorder(java.time.Duration.ofSeconds(2), 8 << 20)
                .withOptions(FAST.withBufferSize(16 << 10).withMaxBuffers(4).withFlushIntervalMillis(60_000));
        f.start();
        try {
            Recorder r = Recorder.active;
            Await.until("the recording dropped events (four small buffers, no flush)", () -> {
                for (int i = 0; i < 10_000; i++) {
                    Trace.log("filling", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
                }
                return r.dropped.get() > 0;
            });
            assertThat(Trace.flush()).as("events recorded before the flush were dropped").isFalse();
            Trace.log("after", "the drops");
            assertThat(Trace.flush()).as("nothing dropped since the previous flush").isTrue();
        } finally {
            f.stop();
        }
    }
}
