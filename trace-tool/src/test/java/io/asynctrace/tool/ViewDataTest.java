package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ViewData}'s passes: a failed one is never shown complete and says why, in its own
 * index; two requests for one filter start one pass; closing stops them all.
 */
class ViewDataTest {
    @TempDir
    static Path dir;
    static Path file;

    @BeforeAll
    static void record() throws Exception {
        file = dir.resolve("many.trace");
        Traces.many(file, 4000, 10);
    }

    @Test
    void aCorruptSegmentMidFileFailsThePassWhichIsThenNotComplete() throws Exception {
        long size = Files.size(file);
        long[][] tail = TailSegments.find(file, size, 3);
        byte[] b = Files.readAllBytes(file);
        int at = (int) (tail[0][0] - 100); // in a segment before the last three: the scout still reads them
        b[at] ^= 0x5A;
        Path bad = dir.resolve("corrupt.trace");
        Files.write(bad, b);
        ViewData data = new ViewData(bad, null);
        try {
            WebDriver.waitUntil(Duration.ofSeconds(30), data::ready);
            Map<String, Object> t = MiniJson.object(data.timeline(TaskFilter.NONE, null));
            assertThat(t.get("complete")).as("a failed pass is not complete").isEqualTo(false);
            assertThat((String) t.get("error")).contains("corrupt trace");
            assertThat(data.summary(TaskFilter.NONE, null)).isNull();
            assertThat(data.failure()).contains("corrupt trace");
            // A group-by index of the same file fails in its own pass, and says so in its own timeline.
            WebDriver.waitUntil(Duration.ofSeconds(30), () -> MiniJson.object(data.timeline(TaskFilter.NONE, "x"))
                    .get("error") != null);
            assertThat(MiniJson.object(data.timeline(TaskFilter.NONE, "x")).get("complete")).isEqualTo(false);
        } finally {
            data.close();
        }
    }

    @Test
    void anErrorInThePassIsRecordedInItsIndexAndItsLockLetGo() throws Exception {
        ViewData data = new ViewData(file, null);
        try {
            TimelineIndex index = new TimelineIndex();
            int[] segments = {0};
            TraceHandler failing = new TraceHandler() {
                @Override
                public void onSegment(long sequence, long offset, long dropped) {
                    index.onSegment(sequence, offset, dropped);
                    if (++segments[0] == 3) {
                        throw new OutOfMemoryError("Java heap space");
                    }
                }
            };
            index.lock.lock();
            assertThat(data.index(index, failing, null)).isNull();
            assertThat(index.complete).isFalse();
            assertThat(index.failure).contains("failed at byte").contains("OutOfMemoryError: Java heap space");
            assertThat(index.lock.isLocked()).isFalse();
        } finally {
            data.close();
        }
    }

    @Test
    void twoRequestsForOneFilterStartOnePassAndCloseStopsThem() throws Exception {
        ViewData data = new ViewData(file, null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<ViewData.Filtered> made = new ArrayList<>();
        try {
            for (int round = 0; round < 10; round++) {
                String key = "k" + round;
                CyclicBarrier start = new CyclicBarrier(4);
                List<Future<ViewData.Filtered>> asked = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    asked.add(pool.submit(() -> {
                        start.await();
                        return data.filtered(TaskFilter.NONE, key);
                    }));
                }
                ViewData.Filtered first = asked.get(0).get();
                for (Future<ViewData.Filtered> f : asked) {
                    assertThat(f.get().index()).as("round %d", round).isSameAs(first.index());
                }
                made.add(first);
            }
            // Past the cache's four, the least recently used are abandoned: their passes stop.
            assertThat(made.subList(0, 6)).allSatisfy(f -> assertThat(f.index().abandoned).isTrue());
            assertThat(made.subList(6, 10)).allSatisfy(f -> assertThat(f.index().abandoned).isFalse());
            // Finished ones too are abandoned at close (a finished pass was left as it was: this failed
            // whenever one of them had finished before the close, as here).
            WebDriver.waitUntil(java.time.Duration.ofSeconds(30), () -> made.subList(6, 10).stream()
                    .allMatch(f -> f.index().complete));
        } finally {
            pool.shutdownNow();
            data.close();
        }
        assertThat(made.subList(6, 10)).allSatisfy(f -> assertThat(f.index().abandoned).isTrue());
    }

    @Test
    void theFirstReaderOfANewIndexWaitsForItsScout() throws Exception {
        ViewData data = new ViewData(file, null);
        try {
            Map<String, Object> t = MiniJson.object(data.timeline(TaskFilter.NONE, "region"));
            // The builder, handed the lock first, read the file's last segments before this reader got it.
            assertThat((Long) t.get("last_ns")).isPositive();
        } finally {
            data.close();
        }
    }
}
