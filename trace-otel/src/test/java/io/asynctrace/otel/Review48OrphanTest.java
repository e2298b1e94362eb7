package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.Recording;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Review of d742471: an end read before its begin is forgotten two segments later, but a
 * begin committed in an idle thread's leased buffer reaches the trace only at the next
 * flush-interval steal (or when that buffer fills), while busy threads' full buffers are cut
 * into ~1 MiB segments meanwhile: the begin can come any number of segments after the end.
 */
class Review48OrphanTest {
    @Test
    void aTaskBegunOnAnIdleThreadAndEndedOnABusyOneIsSentNotForgotten() throws Exception {
        Collected collected = new Collected();
        Recording rec = Recording.start(TraceOptions.defaults().withFlushIntervalMillis(5_000));
        AtomicReference<Task> made = new AtomicReference<>();
        CountDownLatch begun = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread idle = new Thread(() -> {
            made.set(Trace.newTask("late-begin")); // its begin stays in this thread's leased buffer
            begun.countDown();
            try {
                done.await(); // alive and idle: its buffer is not reclaimed, only stolen at a flush
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        LiveExporter live = LiveExporter.builder(collected).delay(Duration.ofMillis(20)).queueBytes(256L << 20)
                .maxCpu(1.0).start();
        try {
            idle.start();
            Await.latch("begun", begun);
            made.get().end(); // the end in this thread's buffer, handed off when it fills
            String pad = "x".repeat(200);
            for (int i = 0; i < 30_000; i++) { // ~6 MiB: several segments cut from full buffers
                Trace.log("pad", pad);
            }
            Thread.sleep(500); // the writer drains full buffers every 10 ms; no flush interval passes
            done.countDown();
            idle.join();
            rec.stopAndRead();
            Await.until("the task sent or forgotten", () -> live.exported() + live.forgotten() >= 1);
        } finally {
            live.close();
        }
        System.out.println("exported " + live.exported() + " forgotten " + live.forgotten() + " dropped "
                + live.dropped());
        assertThat(live.dropped()).as("nothing dropped on the way").isZero();
        assertThat(live.forgotten()).as("forgotten").isZero();
        assertThat(collected.allNamed("late-begin")).hasSize(1);
    }
}
