package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.reader.TraceReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Review 55 (e555afc). */
class Review55Test {
    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        flights.stopAll();
    }

    /**
     * README: "with the begin (type, parent, true start, attributes so far) of every task it
     * sees, also at its end". Shared tasks get a "trace.id" right after creation, before any
     * other thread can see them. In a detached file with 0 drops, every task with a log or
     * end must then have its begin AND its trace.id.
     */
    @Test
    void aBeginRecoveredAtTheDetachKeepsItsAttributes() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20)
                .withOptions(FlightFixtures.FAST.withMaxThreadBuffers(0)));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReferenceArray<Task> shared = new AtomicReferenceArray<>(8);
        for (int i = 0; i < shared.length(); i++) {
            Task t = Trace.newTask("shared");
            t.attr("trace.id", "t" + t.id());
            shared.set(i, t);
        }
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int me = w;
            Thread t = new Thread(() -> {
                long i = 0;
                while (running.get()) {
                    int slot = (int) ((i + me) % shared.length());
                    Task s = shared.get(slot);
                    s.log("step", "x");
                    if (i % 64 == me) {
                        Task fresh = Trace.newTask("shared");
                        fresh.attr("trace.id", "t" + fresh.id()); // before it is published
                        if (shared.compareAndSet(slot, s, fresh)) {
                            s.end("ok");
                        } else {
                            fresh.end("lost");
                        }
                    }
                    i++;
                }
            }, "r55-worker-" + w);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        long files = 0, withDrops = 0, noBegin = 0, beginNoAttr = 0;
        try {
            // 300 files, or at least 20 s and more than 20 files; 120 s at most (a loaded machine makes few).
            long start = System.nanoTime();
            long enough = start + TimeUnit.SECONDS.toNanos(20);
            long last = start + TimeUnit.SECONDS.toNanos(120);
            for (long now = start; files < 300 && (now < enough || files <= 20) && now < last; now = System.nanoTime()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Trace.start(out);
                Thread.onSpinWait();
                RecordingStats st = Trace.stop();
                if (st.droppedEvents() != 0) {
                    withDrops++;
                    continue;
                }
                long[] c = check(out.toByteArray());
                noBegin += c[0];
                beginNoAttr += c[1];
                files++;
            }
        } finally {
            running.set(false);
            for (Thread t : workers) {
                t.join(10_000);
            }
        }
        System.out.println("Review55Test.attrs: files=" + files + " withDrops=" + withDrops + " noBegin=" + noBegin
                + " beginWithoutItsTraceId=" + beginNoAttr);
        assertThat(files).isGreaterThan(20);
        assertThat(noBegin).as("tasks with events and no begin").isZero();
        assertThat(beginNoAttr).as("tasks with events and a begin but without the trace.id set before they were shared, in "
                + files + " files with 0 drops").isZero();
    }

    /** [tasks used without a begin, tasks used with a begin but without trace.id] */
    private static long[] check(byte[] trace) throws IOException {
        FlightFixtures.TaskUse use = FlightFixtures.taskUse(trace);
        Set<Long> begun = use.begins().keySet();
        Set<Long> attributed = use.traceIds();
        Set<Long> used = use.events();
        long noBegin = used.stream().filter(id -> !begun.contains(id)).count();
        long noAttr = used.stream().filter(id -> begun.contains(id) && !attributed.contains(id)).count();
        return new long[] {noBegin, noAttr};
    }

    /**
     * An attribute recorded after the attach is in the file as its own event, yet, on a task
     * that had 16 keys already, it is also counted as a dropped event of that file.
     */
    @Test
    void anAttributeTheFileHasIsNotCountedAsDroppedInIt() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FlightFixtures.FAST));
        Task t = Trace.newTask("wide");
        for (int i = 0; i < Task.MAX_KEPT_ATTRIBUTES; i++) {
            t.attr("k" + i, "v" + i);
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        for (int i = 0; i < 20; i++) {
            t.attr("late" + i, "v"); // recorded while the file is attached: it has each of them
        }
        t.end("ok");
        RecordingStats stats = Trace.stop();
        TraceModel m = TraceModel.read(new ByteArrayInputStream(file.toByteArray()));
        TaskInfo info = m.task(t.id());
        assertThat(info.attributes()).hasSize(Task.MAX_KEPT_ATTRIBUTES + 20); // nothing is missing
        assertThat(m.dropped()).as("drops counted in a file that lacks no event recorded while attached").isZero();
        assertThat(stats.droppedEvents()).isZero();
    }

    /**
     * The earlier begin carries the value the task had when its thread met it in the new
     * epoch (review 55: it took the value at the writer's cut, so a value set before the
     * attach and changed right after it never showed).
     */
    @Test
    void anEarlierBeginCarriesTheValueOfTheAttachNotALaterOne() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FlightFixtures.FAST));
        Task t = Trace.newTask("status");
        t.attr("state", "queued");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        t.attr("state", "running");
        t.end("ok");
        Trace.stop();
        List<String> values = new ArrayList<>();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(file.toByteArray()))) {
            reader.read(new TraceHandler() {
                @Override
                public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
                    if (target == t.id() && key.equals("state")) {
                        values.add(value);
                    }
                }
            });
        }
        assertThat(values).as("the task's state as recorded: queued at the attach, then running")
                .containsExactly("queued", "running");
    }

    /** Hot path: Task.attr allocates while a flight recorder runs (Task.keep copies the kept array). */
    @Test
    void taskAttrAllocatesNothingPerCall() throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FlightFixtures.FAST));
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Task t = Trace.newTask("status");
        for (int i = 0; i < 8; i++) {
            t.attr("k" + i, "v");
        }
        String[] values = {"queued", "running"};
        // Past the recorder's own warm-up: its buffer pool (maxBuffers) is filled by the calling thread's events.
        for (int i = 0; i < 2_000_000; i++) {
            t.attr("state", values[i & 1]);
        }
        long id = Thread.currentThread().getId();
        int n = 100_000;
        long perCall = Long.MAX_VALUE;
        // The fewest of five tries: on a loaded machine the writer can lag and the recorder then takes a new
        // buffer (64 KiB) while one is measured, which is not Task.attr's.
        for (int round = 0; round < 5 && perCall > 0; round++) {
            long before = mx.getThreadAllocatedBytes(id);
            for (int i = 0; i < n; i++) {
                t.attr("state", values[i & 1]);
            }
            perCall = Math.min(perCall, (mx.getThreadAllocatedBytes(id) - before) / n);
        }
        System.out.println("Review55Test.alloc: bytes per Task.attr = " + perCall);
        assertThat(perCall).as("bytes allocated per Task.attr (a status attribute updated) while recording").isZero();
    }
}
