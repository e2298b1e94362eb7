package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
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

/**
 * Files attached beside a flight recorder while threads record: the race between an
 * event in flight and the attach, and between a task's begin and its other threads'
 * events at the detach (see {@link SegmentWriter}'s Assumptions and Guarantees). Each
 * test runs for 10 s (on a slow machine until it checked 25 files, at most 40 s) and
 * checks every file that had no drops.
 */
class AttachRaceTest {
    private static final TraceOptions FAST = FlightFixtures.FAST;
    /** How long each test attaches and detaches files; on a machine too loaded to check {@link #ENOUGH} in that time, until it has. */
    private static final long SECONDS = 10;
    private static final long ENOUGH = 25;
    /** The stop on a machine that slow. */
    private static final long AT_MOST_SECONDS = 40;
    private final FlightFixtures flights = new FlightFixtures();

    @AfterEach
    void stopAll() {
        flights.stopAll();
    }

    /** Threads that each loop over {@code step} while {@code body} runs; stopped and joined after it. */
    private static void whileThreadsLoop(int threads, Step step, ThrowingRunnable body) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int me = w;
            Thread t = new Thread(() -> {
                for (long i = 0; running.get(); i++) {
                    step.run(me, i);
                }
            }, "worker-" + w);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        try {
            body.run();
        } finally {
            running.set(false);
            Await.joined(workers.toArray(new Thread[0]));
        }
    }

    interface Step {
        void run(int worker, long i);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** What a run of {@link #attachUntilDeadline} found. */
    private static final class Found {
        long files;
        long withDrops;
        /** Tasks with an event (end, log, attribute) in a file that has no begin for them. */
        long withoutBegin;
        long twice;
        final StringBuilder sample = new StringBuilder();

        void assertClean() {
            String figures = files + " files checked, " + withDrops + " had drops";
            System.out.println("AttachRaceTest: " + figures);
            assertThat(files).as(figures).isGreaterThanOrEqualTo(ENOUGH);
            assertThat(withDrops).as("files with drops: most must be checked (" + figures + ")").isLessThan(files);
            assertThat(withoutBegin).as("tasks with events but no begin (" + figures + "): " + sample).isZero();
            assertThat(twice).as("tasks with two begins (" + figures + ")").isZero();
        }
    }

    /** Attaches and detaches files beside a running flight recorder until the deadline; checks each without drops. */
    private static Found attachUntilDeadline() throws IOException {
        Found found = new Found();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(SECONDS);
        long last = start + TimeUnit.SECONDS.toNanos(AT_MOST_SECONDS);
        for (long now = start; now < deadline || (found.files < ENOUGH && now < last); now = System.nanoTime()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Trace.start(out);
            Thread.onSpinWait();
            RecordingStats st = Trace.stop();
            if (st.droppedEvents() != 0) {
                found.withDrops++; // threads in a tight loop can outrun the writer: a counted drop may be a begin
                continue;
            }
            check(out.toByteArray(), found);
            found.files++;
        }
        return found;
    }

    /** Counts the tasks of {@code trace} with an event but no begin anywhere in it, and those with two begins. */
    private static void check(byte[] trace, Found found) throws IOException {
        FlightFixtures.TaskUse use = FlightFixtures.taskUse(trace);
        Map<Long, Integer> begins = use.begins();
        Set<Long> used = new HashSet<>(use.events());
        used.addAll(use.attributes());
        used.removeAll(begins.keySet());
        found.withoutBegin += used.size();
        if (!used.isEmpty() && found.sample.length() < 500) {
            found.sample.append(used.stream().limit(10).toList()).append(' ');
        }
        found.twice += begins.values().stream().filter(n -> n > 1).count();
    }

    /**
     * Review 13 item 1: an event whose thread read the epoch before the attach and committed
     * after the attach's collect reached the new file, whose begin went only to the ring.
     * Failed on main a14a786 within 6-28 files. Tasks created and ended on one thread.
     */
    @Test
    void aFileAttachedMidWayNeverHasATaskEndWithoutItsBegin() throws Exception {
        FlightRecorder f = new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FAST);
        flights.start(f);
        Found[] found = new Found[1];
        whileThreadsLoop(2, (w, i) -> Trace.newTask("w").end(i % 2 == 0 ? "ok" : "other"),
                () -> found[0] = attachUntilDeadline());
        found[0].assertClean();
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        f.writeTo(snapshot);
        assertThat(FlightFixtures.beginsPerTask(snapshot.toByteArray()).values()).as("begins per task in the ring").allMatch(n -> n == 1);
    }

    /**
     * Review 13b DEFECT 1: tasks shared by threads (logged on by all, ended and replaced by
     * any). The detach's collect is a sweep over the buffers, not a snapshot: a begin
     * committed into a buffer it had passed was left out of the file while another thread's
     * later log, in a buffer it reached after, was in it, with no drop counted. Failed every
     * run on main 14e0939 on stripes (5-135 tasks per run), now and then on leased buffers.
     */
    @Test
    void crossThreadTasksOnLeasedBuffersHaveTheirBeginInEveryFile() throws Exception {
        crossThreadTasks(FAST);
    }

    /** As above, every thread writing through the shared stripes. */
    @Test
    void crossThreadTasksOnStripesHaveTheirBeginInEveryFile() throws Exception {
        crossThreadTasks(FAST.withMaxThreadBuffers(0));
    }

    private void crossThreadTasks(TraceOptions options) throws Exception {
        flights.start(new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(options));
        // Long-lived tasks shared by every worker: each file's first event on one is a claim race.
        AtomicReferenceArray<Task> shared = new AtomicReferenceArray<>(8);
        for (int i = 0; i < shared.length(); i++) {
            shared.set(i, Trace.newTask("shared"));
        }
        Found[] found = new Found[1];
        whileThreadsLoop(3, (me, i) -> {
            int slot = (int) ((i + me) % shared.length());
            Task s = shared.get(slot);
            s.log("step", "x");
            if (i % 64 == me) { // created on one thread, ended on another, replaced
                Task fresh = Trace.newTask("shared");
                if (shared.compareAndSet(slot, s, fresh)) {
                    s.end("ok");
                } else {
                    fresh.end("lost");
                }
            }
            Trace.newTask("w").end();
        }, () -> found[0] = attachUntilDeadline());
        found[0].assertClean();
    }

    /** A task created under a flight recorder with stacks, met again by a file attached later: its begin's stack. */
    @Test
    void anEarlierBeginCarriesTheStackOfTheTasksBegin() throws Exception {
        FlightRecorder f = new FlightRecorder(Duration.ofSeconds(2), 8 << 20).withOptions(FAST.withStackDepth(8));
        flights.start(f);
        Task before = createdHere();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Trace.start(file);
        before.log("after", "the attach");
        before.end();
        Trace.stop();
        TraceModel m = TraceModel.read(new ByteArrayInputStream(file.toByteArray()));
        assertThat(m.tasks()).singleElement().satisfies(t -> {
            assertThat(t.startedBeforeTrace()).isTrue();
            assertThat(t.stack()).as("the stack of the task's begin").isNotNull();
            assertThat(t.stack().frames()).anySatisfy(fr -> assertThat(fr.method()).isEqualTo("createdHere"));
        });
    }

    private static Task createdHere() {
        return Trace.newTask("early");
    }
}
