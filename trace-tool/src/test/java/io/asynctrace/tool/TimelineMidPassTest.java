package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windows read while the index's pass is still running ({@link MidPass}), and what the
 * pass holds for tasks not decided yet. From a review of d1c91e9 (its tests failed there).
 */
class TimelineMidPassTest {
    @TempDir
    static Path dir;
    /** Segments k = 0..5, each with 50 tasks of type "phase" + k, region "r" + k. */
    static Path phases;

    @BeforeAll
    static void record() throws Exception {
        phases = dir.resolve("phases.trace");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(phases))) {
            Trace.start(out, TraceOptions.defaults().withBufferSize(16 * 1024).withMaxBuffers(1024));
            try {
                for (int k = 0; k < 6; k++) {
                    for (int i = 0; i < 50; i++) {
                        try (Task t = Trace.newTask("phase" + k); Scope sc = t.makeCurrent()) {
                            t.attr("region", "r" + k);
                            Trace.withSpan("step", () -> { });
                        }
                    }
                    assertThat(Trace.flush()).isTrue();
                }
            } finally {
                Trace.stop();
            }
        }
    }

    /** A detail window read while the pass runs meets tasks the pass has not decided yet. */
    @Test
    void aWindowReadMidPassDoesNotThrowWhenItMeetsATaskTypeNotDecidedYet() throws Exception {
        for (int n = 3; n <= 5; n++) {
            TimelineIndex index = new TimelineIndex();
            MidPass.build(phases, index, n);
            int lanesBefore = index.lanes().size();
            TimelineWindow[] w = new TimelineWindow[1];
            index.lock.lock();
            try {
                assertThatCode(() -> w[0] = TimelineWindow.compute(phases, index, index.firstTime(), index.lastTime(), 500,
                        null, Long.MAX_VALUE, Long.MAX_VALUE)).as("plain index stopped at segment %d", n)
                        .doesNotThrowAnyException();
            } finally {
                index.lock.unlock();
            }
            assertThat(index.lanes()).as("a reader must not add lanes to the index").hasSize(lanesBefore);
            // Without group-by a type's lane is made at its first begin: every task read has one.
            assertThat(TimelineWindowTest.json(w[0]).get("undecided_items")).isEqualTo(0L);
            for (int k = 0; k < n - 1; k++) {
                assertThat(index.laneOf("phase" + k, null)).as("phase%d's lane at segment %d", k, n).isNotNegative();
            }
        }
    }

    @Test
    void aGroupByWindowReadMidPassDoesNotThrowAndCountsWhatItLeavesOut() throws Exception {
        TimelineIndex index = new TimelineIndex(TaskFilter.NONE, "region");
        MidPass.build(phases, index, 5);
        int lanesBefore = index.lanes().size();
        TimelineWindow[] w = new TimelineWindow[1];
        index.lock.lock();
        try {
            assertThatCode(() -> w[0] = TimelineWindow.compute(phases, index, index.firstTime(), index.lastTime(), 500,
                    null, Long.MAX_VALUE, Long.MAX_VALUE)).doesNotThrowAnyException();
        } finally {
            index.lock.unlock();
        }
        assertThat(index.lanes()).hasSize(lanesBefore);
        // The tasks of the last two segments read are not decided by the pass yet: their group's lane is
        // not made, so the window leaves them out and says how many.
        assertThat((Long) TimelineWindowTest.json(w[0]).get("undecided_items")).isPositive();
        assertThat(index.laneOf("phase0", "r0")).isNotNegative();
        assertThat(index.laneOf("phase5", "r5")).isEqualTo(-1);
    }

    /** With --where terms, the spans of a task still open were held without bound. */
    @Test
    @SuppressWarnings("unchecked")
    void theSpansOfAnOpenMatchingTaskAreNotHeldWithoutBound() throws Exception {
        Path file = dir.resolve("open.trace");
        long id;
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            Trace.start(out, TraceOptions.defaults().withBufferSize(64 * 1024).withMaxBuffers(1024));
            try {
                Task poller = Trace.newTask("poller"); // lives as long as the recording
                poller.attr("region", "ap");
                id = poller.id();
                try (Scope sc = poller.makeCurrent()) {
                    for (int i = 0; i < 200_000; i++) {
                        Trace.withSpan("poll", () -> { });
                        if (i % 20_000 == 19_999) {
                            assertThat(Trace.flush()).isTrue();
                        }
                    }
                }
            } finally {
                Trace.stop();
            }
        }
        TimelineIndex index = new TimelineIndex(TaskFilter.parse(List.of("region=ap"), null, null), null);
        MidPass.build(file, index, 9); // 8 segments read: the view serves this state
        Field f = TimelineIndex.class.getDeclaredField("deferred");
        f.setAccessible(true);
        LongMap<List<TimelineIndex.Item>> deferred = (LongMap<List<TimelineIndex.Item>>) f.get(index);
        List<TimelineIndex.Item> held = deferred.get(id);
        assertThat(held == null ? 0 : held.size()).as("items held for the open task").isLessThan(10_000);
        // Decided on the attributes read so far: it passes, and its spans are indexed.
        assertThat(index.decidedEarly()).isEqualTo(1);
        assertThat(index.matching().contains(id)).isTrue();
        long busy = 0;
        for (TimelineLanes.Lane l : index.lanes()) {
            if (l.kind().equals("thread")) {
                for (long b : index.bins(index.lanes().indexOf(l))) {
                    busy += b;
                }
            }
        }
        assertThat(busy).as("the open task's spans on its thread's lane").isPositive();
    }

    /** Spans of tasks whose begin is never read are let go (and counted) at the end of the pass. */
    @Test
    @SuppressWarnings("unchecked")
    void theEndOfThePassLetsGoOfWhatIsStillHeld() throws Exception {
        TimelineIndex index = new TimelineIndex(TaskFilter.parse(List.of("region=ap"), null, null), null);
        index.onSegment(0, 16, 0);
        index.onSpanBegin(10, 1, 100, 0, 77, "orphan"); // task 77's begin is not in the file
        index.onSpanEnd(20, 1, 100);
        index.onSpanBegin(30, 1, 101, 0, 77, "orphan");
        index.onSpanEnd(40, 1, 101);
        index.finish(100);
        Field f = TimelineIndex.class.getDeclaredField("deferred");
        f.setAccessible(true);
        assertThat(((LongMap<List<TimelineIndex.Item>>) f.get(index)).size()).isZero();
        assertThat(index.droppedItems()).isEqualTo(2);
    }

    /** A reader waiting for the index gets it within {@value TimelineIndex#YIELD_EVERY} events, not at the next segment. */
    @Test
    void aWaitingReaderGetsTheIndexInsideALargeSegment() throws Exception {
        Path file = dir.resolve("large-segments.trace");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            Trace.start(out, TraceOptions.defaults().withBufferSize(64 * 1024).withMaxBuffers(1024));
            try (Task t = Trace.newTask("poller"); Scope sc = t.makeCurrent()) {
                for (int i = 0; i < 60_000; i++) {
                    Trace.withSpan("poll", () -> { });
                    if (i % 20_000 == 19_999) {
                        assertThat(Trace.flush()).isTrue(); // segments of some 40 000 events
                    }
                }
            } finally {
                Trace.stop();
            }
        }
        // A segment of many events (the recorder may cut segments of its own too).
        java.util.List<Long> perSegment = new java.util.ArrayList<>();
        Scan.read(file, new io.asynctrace.reader.TraceHandler() {
            @Override
            public void onSegment(long sequence, long offset, long dropped) {
                perSegment.add(0L);
            }

            @Override
            public void onSpanBegin(long time, long thread, long span, long parent, long task, String name) {
                perSegment.set(perSegment.size() - 1, perSegment.get(perSegment.size() - 1) + 2);
            }
        }, null);
        int large = 1 + perSegment.indexOf(perSegment.stream().filter(n -> n > 2L * TimelineIndex.YIELD_EVERY + 200)
                .findFirst().orElseThrow());
        TimelineIndex index = new TimelineIndex();
        int[] segment = {0};
        long[] events = {0};
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        io.asynctrace.reader.TraceHandler counting = (io.asynctrace.reader.TraceHandler) java.lang.reflect.Proxy
                .newProxyInstance(io.asynctrace.reader.TraceHandler.class.getClassLoader(),
                        new Class<?>[] {io.asynctrace.reader.TraceHandler.class}, (p, m, a) -> {
                            synchronized (segment) {
                                if (m.getName().equals("onSegment")) {
                                    segment[0]++;
                                    events[0] = 0;
                                } else if (++events[0] == 100 && segment[0] == large) {
                                    inside.countDown();
                                    // Go on only once the reader waits for the lock.
                                    long deadline = System.nanoTime() + 30_000_000_000L;
                                    while (!index.lock.hasQueuedThreads() && System.nanoTime() < deadline) {
                                        Thread.onSpinWait();
                                    }
                                }
                            }
                            try {
                                return m.invoke(index, a);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
        Thread builder = new Thread(() -> {
            index.lock.lock();
            try {
                Scan.read(file, counting, null, index::reading);
            } finally {
                while (index.lock.isHeldByCurrentThread()) {
                    index.lock.unlock();
                }
            }
        }, "builder");
        builder.start();
        assertThat(inside.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        index.lock.lock();
        try {
            synchronized (segment) {
                assertThat(segment[0]).as("the builder's segment when the reader got the index").isEqualTo(large);
                assertThat(events[0]).isLessThanOrEqualTo(100 + TimelineIndex.YIELD_EVERY);
            }
        } finally {
            index.lock.unlock();
        }
        builder.join(30_000);
        assertThat(builder.isAlive()).isFalse();
    }

    /**
     * Many short tasks held at once (more spans than {@value TimelineIndex#MAX_HELD} in the two
     * segments a task waits for late attributes): the ended ones are decided first, so no task
     * is decided on part of its attributes, and the index is the two-pass one. (Each span of an
     * undecided task made it decided early, on d1c91e9's bound.)
     */
    @Test
    void manyShortTasksHeldAreSettledNotDecidedEarly() throws Exception {
        Path file = dir.resolve("short-tasks.trace");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            Trace.start(out, TraceOptions.defaults().withBufferSize(64 * 1024).withMaxBuffers(4096));
            try {
                for (int i = 0; i < 30_000; i++) {
                    try (Task t = Trace.newTask("short"); Scope sc = t.makeCurrent()) {
                        for (int s = 0; s < 4; s++) {
                            Trace.withSpan("step", () -> { });
                        }
                        t.attr("region", i % 2 == 0 ? "ap" : "eu"); // after its spans
                    }
                    if (i % 15_000 == 14_999) {
                        assertThat(Trace.flush()).isTrue();
                    }
                }
            } finally {
                Trace.stop();
            }
        }
        TaskFilter ap = TaskFilter.parse(List.of("region=ap"), null, null);
        TimelineIndex one = new TimelineIndex(ap, null);
        one.lock.lock();
        Scan.read(file, one, null, one::reading);
        one.finish(Files.size(file));
        one.lock.unlock();
        assertThat(one.settledEarly()).isPositive();
        assertThat(one.decidedEarly()).isZero();
        MatchingTasks two = MatchingTasks.find(file, ap, null);
        assertThat(one.matching().size()).isEqualTo(two.size()).isEqualTo(15_000);
        TimelineIndex plain = new TimelineIndex();
        FilteredHandler only = new FilteredHandler(plain, TaskFilter.NONE, two);
        plain.lock.lock();
        Scan.read(file, only, null, plain::reading);
        only.finish();
        plain.finish(Files.size(file));
        plain.lock.unlock();
        for (int lane = 0; lane < plain.lanes().size(); lane++) {
            if (plain.lanes().get(lane).kind().equals("thread")) {
                assertThat(one.bins(lane)).as("thread lane %s", plain.lanes().get(lane)).isEqualTo(plain.bins(lane));
            }
        }
    }

    /**
     * A window reads the file without the index's lock, so the pass (and other readers) go on
     * meanwhile (review 17b R1: it held the lock for the whole read, up to 16 MiB of segments).
     */
    @Test
    void aWindowReadsTheFileWithoutTheIndexLock() throws Exception {
        ViewData data = new ViewData(phases, null);
        try {
            WebDriver.waitUntil(java.time.Duration.ofSeconds(30), data::ready);
            TimelineIndex index = data.filtered(TaskFilter.NONE, null).index();
            boolean[] taken = {false};
            data.windowReading = () -> {
                try {
                    taken[0] = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        index.lock.lock();
                        index.lock.unlock();
                        return true;
                    }).get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("another thread could not take the index's lock while a window read", e);
                }
            };
            java.util.Map<String, Object> w = MiniJson.object(data.window(TaskFilter.NONE, null, 0, index.lastTime(), 100));
            assertThat(w.get("mode")).isEqualTo("detail");
            assertThat(taken[0]).isTrue();
        } finally {
            data.close();
        }
    }

    /**
     * {@code indexed_to_ns} does not claim a time a later segment may still hold: threads'
     * batches interleave, so a segment read after one starting at 1500 can hold an event at 700
     * when a batch as wide as 1000 ns was seen (review 17 item 9: it claimed 1500).
     */
    @Test
    void indexedToIsHeldBackByTheWidestBatchSeen() {
        TimelineIndex index = new TimelineIndex();
        index.onSegment(1, 100, 0);
        index.onLog(0, 1, 0, "c", "a");
        index.onLog(1000, 1, 0, "c", "b");
        index.onSegment(2, 200, 0);
        index.onLog(1500, 2, 0, "c", "c");
        index.onLog(1600, 2, 0, "c", "d");
        index.onSegment(3, 300, 0);
        assertThat(index.indexedTo()).isLessThanOrEqualTo(600);
        index.onLog(700, 3, 0, "c", "late batch");
        index.onLog(2600, 3, 0, "c", "e");
        index.onSegment(4, 400, 0);
        // Still no later than the latest event less the widest batch (1900 ns now).
        assertThat(index.indexedTo()).isLessThanOrEqualTo(2600 - 1900);
    }
}
