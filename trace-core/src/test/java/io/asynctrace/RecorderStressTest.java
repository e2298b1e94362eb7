package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.reader.TraceReader;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecorderStressTest {

    @AfterEach
    void stop() {
        Trace.stop();
    }

    /** Emits a steady mix of events until told to stop; collects anything thrown at it. */
    private static List<Thread> emitters(int n, AtomicBoolean running, ConcurrentLinkedQueue<Throwable> thrown,
                                         AtomicLong emitted) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (running.get()) {
                        try (Task task = Trace.newTask("work"); Scope s = task.makeCurrent()) {
                            Trace.withSpan("step", () -> Trace.log("n", "message"));
                            Span sp = Trace.startSpan("manual");
                            sp.end();
                        }
                        emitted.incrementAndGet();
                    }
                } catch (Throwable e) {
                    thrown.add(e);
                }
            }, "emitter-" + i);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    @Test
    void twoHundredStartStopCyclesRacingWithEmitters() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
        AtomicLong emitted = new AtomicLong();
        List<Thread> threads = emitters(4, running, thrown, emitted);
        long totalEvents = 0;
        for (int cycle = 0; cycle < 200; cycle++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Trace.start(out, TraceOptions.defaults().withStrict(false));
            Thread.onSpinWait();
            RecordingStats stats = Trace.stop();
            assertThat(stats.failure()).isEmpty();
            TraceModel m = TraceModels.read(out);
            assertThat(m.complete()).as("cycle %d complete", cycle).isTrue();
            assertThat(m.truncated()).isFalse();
            assertThat(m.misuses()).as("no misuse from racing start/stop").isEmpty();
            totalEvents += m.events();
        }
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(thrown).isEmpty();
        assertThat(emitted.get()).isPositive();
        assertThat(totalEvents).isPositive();
    }

    private static long wholeSegments(byte[] bytes) {
        TraceReader r = new TraceReader(new ByteArrayInputStream(bytes));
        try {
            r.read(new TraceHandler() { });
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return r.segments();
    }

    @Test
    void writerThatThrowsMidTraceStopsTracingCleanly() throws Exception {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                // The disk fills once two whole segments are written, whatever their size (under
                // load the writer's segments grow: a fixed byte limit could fail the first one).
                if (wholeSegments(kept.toByteArray()) >= 2) {
                    throw new IOException("disk full");
                }
                kept.write(b, off, len);
            }
        };
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
        Trace.start(failing, TraceOptions.defaults().withFlushIntervalMillis(10));
        List<Thread> threads = emitters(2, running, thrown, new AtomicLong());
        Await.until("the failed output ends the recording", () -> !Trace.isEnabled());
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(thrown).as("nothing thrown at application threads").isEmpty();
        RecordingStats stats = Trace.stop();
        assertThat(stats.failure()).get().extracting(Throwable::getMessage).isEqualTo("disk full");

        TraceReader reader = new TraceReader(new ByteArrayInputStream(kept.toByteArray()));
        AtomicLong logs = new AtomicLong();
        reader.read(new TraceHandler() {
            @Override
            public void onLog(long time, long thread, long task, String category, String message) {
                logs.incrementAndGet();
            }
        });
        assertThat(reader.complete()).isFalse();
        assertThat(reader.truncated()).isTrue();
        assertThat(reader.segments()).isPositive();
        assertThat(logs.get()).isPositive();
        // A new recording works after the failure.
        ByteArrayOutputStream next = new ByteArrayOutputStream();
        Trace.start(next);
        Trace.log("after", "failure");
        Trace.stop();
        assertThat(TraceModels.read(next).logs()).hasSize(1);
    }

    @Test
    void slowWriterDropsAndCountsWithBoundedMemory() throws Exception {
        AtomicLong written = new AtomicLong();
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                kept.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                kept.write(b, off, len);
                written.addAndGet(len);
            }
        };
        TraceOptions options = TraceOptions.defaults().withBufferSize(16 * 1024).withMaxBuffers(8);
        Trace.start(slow, options);
        Recorder recorder = Recorder.active;
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
        AtomicLong emitted = new AtomicLong();
        List<Thread> threads = emitters(3, running, thrown, emitted);
        Await.until("the slow writer makes the recorder drop", () -> recorder.dropped.get() > 0);
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(recorder.allocatedBuffers()).isLessThanOrEqualTo(options.maxBuffers());
        RecordingStats stats = Trace.stop();
        assertThat(thrown).isEmpty();
        assertThat(stats.droppedEvents()).isPositive();
        TraceModel m = TraceModels.read(kept);
        assertThat(m.complete()).isTrue();
        assertThat(m.dropped()).as("the trace carries the drop count").isEqualTo(stats.droppedEvents());
    }

    @Test
    void flushingLiveBuffersEveryTenMillisecondsLosesNothing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withFlushIntervalMillis(10));
        int perThread = 50_000;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                for (int k = 0; k < perThread; k++) {
                    try (Task task = Trace.newTask("t"); Scope s = task.makeCurrent()) {
                        Trace.withSpan("a", () -> Trace.log("k", "v"));
                    }
                    if (k % 5_000 == 0) {
                        try {
                            Thread.sleep(15); // idle across a flush now and then
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            }, "busy-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        RecordingStats stats = Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(stats.segments()).as("flushed many times while the threads ran").isGreaterThan(5);
        assertThat(m.dropped()).isZero();
        assertThat(m.tasks()).hasSize(2 * perThread).allMatch(TaskInfo::complete);
        assertThat(m.spans()).hasSize(2 * perThread).allMatch(s -> s.hasStart() && s.hasEnd() && s.taskId() != 0);
        assertThat(m.logs()).hasSize(2 * perThread).allMatch(l -> m.task(l.taskId()) != null);
    }

    @Test
    void idleThreadsEventsReachTheStreamWhileRecording() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withFlushIntervalMillis(10));
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread idle = new Thread(() -> {
            Trace.log("once", "hello");
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "idle");
        idle.start();
        Await.until("an idle thread's event is in the stream before stop", () ->
                TraceModels.read(out).logs().stream().anyMatch(l -> l.message().equals("hello")));
        done.countDown();
        idle.join();
        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.logs()).singleElement().extracting(l -> l.message()).isEqualTo("hello");
    }

    @Test
    void flushWritesEverythingRecordedBeforeIt() throws Exception {
        for (int threadBuffers : new int[] {128, 0}) { // leased buffers, then shared stripes only
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Trace.start(out, TraceOptions.defaults().withFlushIntervalMillis(60_000).withMaxThreadBuffers(threadBuffers));
            Thread other = new Thread(() -> Trace.log("other", "before"), "other");
            other.start();
            other.join();
            for (int i = 0; i < 3; i++) {
                Trace.log("round", Integer.toString(i));
                assertThat(Trace.flush()).isTrue();
                TraceModel sofar = TraceModels.read(out);
                assertThat(sofar.complete()).isFalse();
                assertThat(sofar.logs()).extracting(l -> l.message()).contains("before", Integer.toString(i));
                assertThat(sofar.logs()).hasSize(i + 2);
            }
            Trace.stop();
            assertThat(Trace.flush()).as("nothing to flush once stopped").isFalse();
            assertThat(TraceModels.read(out).logs()).hasSize(4);
        }
    }
}
