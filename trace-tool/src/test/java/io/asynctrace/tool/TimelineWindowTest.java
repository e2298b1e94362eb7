package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The timeline's index and windows at each zoom level, over a trace of many segments. */
class TimelineWindowTest {
    @TempDir
    static Path dir;
    static Path file;
    static TimelineIndex index;
    static long tasks;

    @BeforeAll
    static void record() throws Exception {
        file = dir.resolve("many.trace");
        Traces.many(file, 4000, 10);
        index = new TimelineIndex();
        index.lock.lock();
        Scan scan = Scan.read(file, index, null);
        index.finish(java.nio.file.Files.size(file));
        assertThat(scan.segments()).isGreaterThan(3);
        tasks = 4000;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(TimelineWindow w) {
        StringWriter s = new StringWriter();
        w.json(new JsonWriter(s));
        return MiniJson.object(s.toString());
    }

    @Test
    void theIndexCoversEverySegmentAndTheOverviewEveryTask() {
        assertThat(index.segmentsMeeting(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2)[0][0])
                .isEqualTo(index.segmentsMeeting(index.firstTime(), index.lastTime())[0][0]);
        int even = index.typeLane("even");
        long busy = 0;
        for (long b : index.bins(even)) {
            busy += b;
        }
        assertThat(busy).isPositive();
    }

    @Test
    @SuppressWarnings("unchecked")
    void zoomedOutOverviewThenSummaryThenDetailAgreeOnTheTasks() {
        long from = index.firstTime();
        long to = index.lastTime();
        // Past the read limit: from the index alone.
        TimelineWindow overview = TimelineWindow.compute(file, index, from, to, 100, null, 0, 0);
        assertThat(overview.mode()).isEqualTo("overview");
        // Read, but more items than drawn one by one: busy time per bin from the read.
        TimelineWindow all = TimelineWindow.compute(file, index, from, to, 100, null, Long.MAX_VALUE, Long.MAX_VALUE);
        assertThat(all.mode()).isEqualTo("summary");
        Map<String, Object> o = json(overview);
        Map<String, Object> a = json(all);
        int even = index.typeLane("even");
        // Both give the even tasks' total time (within the overview's rounding).
        long fromIndex = sum((List<List<Object>>) o.get("values"), even);
        long fromRead = sum((List<List<Object>>) a.get("values"), even);
        assertThat((double) fromIndex / fromRead).isBetween(0.98, 1.02);

        // Zoomed in on a few tasks: each one, with its spans.
        TimelineWindow detail = TimelineWindow.compute(file, index, from, from + (to - from) / 20, 500, null);
        assertThat(detail.mode()).isEqualTo("detail");
        List<List<Object>> items = (List<List<Object>>) json(detail).get("items");
        assertThat(items).anySatisfy(i -> assertThat(i.get(3)).isEqualTo((long) TimelineIndex.TASK))
                .anySatisfy(i -> assertThat(i.get(6)).isEqualTo("step"));
        assertThat(items).allSatisfy(i -> assertThat((Long) i.get(2)).isGreaterThanOrEqualTo(from));
    }

    private static long sum(List<List<Object>> values, int lane) {
        return values.stream().filter(v -> ((Long) v.get(0)).intValue() == lane)
                .flatMap(v -> v.subList(1, v.size()).stream()).mapToLong(x -> (Long) x).sum();
    }
}
