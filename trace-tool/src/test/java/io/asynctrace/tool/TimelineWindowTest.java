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
        Scan scan = Scan.read(file, index, null, index::reading);
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
        int even = lane(index, "even", null);
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
        int even = lane(index, "even", null);
        // Both give the even tasks' total time (within the overview's rounding).
        long fromIndex = sum((List<List<Object>>) o.get("values"), even);
        long fromRead = sum((List<List<Object>>) a.get("values"), even);
        assertThat((double) fromIndex / fromRead).isBetween(0.98, 1.02);

        // Zoomed in on a few tasks in the middle of the file (at its 2 000th task: the flushes leave gaps in time):
        // each one, with its spans, read from the segments there alone, starting from the tables the index kept
        // (format 3 writes each string once per file, in the first segment that needs it).
        // Around one task of the middle (a stall of the recording thread can make a fixed window hold a single long
        // task, without spans).
        io.asynctrace.reader.TaskInfo middle = io.asynctrace.testing.TraceModels.read(file).tasks().stream()
                .sorted(java.util.Comparator.comparingLong(io.asynctrace.reader.TaskInfo::start)).skip(tasks / 2)
                .findFirst().orElseThrow();
        long mid = middle.start() - 1_000;
        TimelineWindow detail = TimelineWindow.compute(file, index, mid, middle.end() + 1_000, 500, null);
        assertThat(detail.mode()).isEqualTo("detail");
        List<List<Object>> items = (List<List<Object>>) json(detail).get("items");
        assertThat(items).anySatisfy(i -> assertThat(i.get(3)).isEqualTo((long) TimelineIndex.TASK))
                .anySatisfy(i -> assertThat(i.get(6)).isEqualTo("step"));
        assertThat(items).allSatisfy(i -> assertThat((Long) i.get(2)).isGreaterThanOrEqualTo(mid));
    }

    @Test
    void theLastSegmentsGiveTheTraceEndBeforeThePassAndWindowsIntoTheRestAreOverviews() throws Exception {
        long size = java.nio.file.Files.size(file);
        long[][] tail = TailSegments.find(file, size, 3);
        assertThat(tail.length).isEqualTo(3);
        assertThat(tail[2][1]).isEqualTo(size);
        assertThat(tail[1][1]).isEqualTo(tail[2][0]);
        TimelineIndex early = new TimelineIndex();
        early.scout(file, size, tail);
        // Before any of the pass: the whole time range, nothing indexed.
        assertThat(early.lastTime()).isEqualTo(index.lastTime());
        // Format 3 names a type once per file, where first used, before the tail the scout reads: a name not read
        // makes no lane (the pass makes them, with their names).
        assertThat(early.lanes()).extracting(TimelineLanes.Lane::name).doesNotContain("");
        assertThat(early.binWidth()).isEqualTo(index.binWidth());
        assertThat(early.unindexedBytes(0, early.lastTime())).isEqualTo(size);
        TimelineWindow w = TimelineWindow.compute(file, early, 0, early.lastTime(), 100, null, 0, size / 2);
        assertThat(w.mode()).isEqualTo("overview");
        assertThat(json(w).get("indexed_to_ns")).isEqualTo(0L);

        // A file cut mid-segment has no whole segment at its end: the whole ones before the cut one are found.
        Path cut = dir.resolve("cut.trace");
        byte[] b = java.nio.file.Files.readAllBytes(file);
        java.nio.file.Files.write(cut, java.util.Arrays.copyOf(b, (int) (tail[1][0] + (tail[1][1] - tail[1][0]) / 2)));
        long[][] beforeCut = TailSegments.find(cut, java.nio.file.Files.size(cut), 3);
        assertThat(beforeCut).isNotEmpty();
        assertThat(beforeCut[beforeCut.length - 1]).containsExactly(tail[0]);
    }

    @Test
    void groupByAndWhereIndexInOnePassWhatTwoPassesGive() throws Exception {
        FilterTest.dir = dir;
        FilterTest.record();
        Path f = FilterTest.file;
        TaskFilter ap = TaskFilter.parse(List.of("region=ap"), null, null);

        // One pass: the tasks' attributes settled as they are read.
        TimelineIndex one = built(f, new TimelineIndex(ap, null), null);
        // Two passes: the matching tasks first, then only their events.
        MatchingTasks matching = MatchingTasks.find(f, ap, null);
        TimelineIndex plain = new TimelineIndex();
        FilteredHandler only = new FilteredHandler(plain, TaskFilter.NONE, matching);
        built(f, plain, only);
        for (String type : List.of("checkout")) {
            assertThat(one.bins(lane(one, type, null))).isEqualTo(plain.bins(lane(plain, type, null)));
        }
        for (int lane = 0; lane < plain.lanes().size(); lane++) {
            if (plain.lanes().get(lane).kind().equals("thread")) {
                assertThat(one.bins(lane)).as("thread lane %s", plain.lanes().get(lane)).isEqualTo(plain.bins(lane));
            }
        }
        for (long id : FilterTest.AP) {
            assertThat(one.matching().contains(id)).isTrue();
        }
        for (long id : FilterTest.EU) {
            assertThat(one.matching().contains(id)).isFalse();
        }
        assertThat(one.matching().size()).isEqualTo(FilterTest.AP.size());

        // Group by region: a lane per type and value, tasks without it in their own; a detail
        // window puts each task in its group's lane.
        TimelineIndex grouped = built(f, new TimelineIndex(TaskFilter.NONE, "region"), null);
        assertThat(grouped.lanes()).filteredOn(l -> l.kind().equals("type"))
                .extracting(l -> l.name() + "/" + l.group())
                .containsExactlyInAnyOrder("checkout/ap", "checkout/eu", "checkout/null", "ping/null");
        TimelineWindow w = TimelineWindow.compute(f, grouped, grouped.firstTime(), grouped.lastTime(), 500, null);
        assertThat(w.mode()).isEqualTo("detail");
        @SuppressWarnings("unchecked")
        List<List<Object>> items = (List<List<Object>>) json(w).get("items");
        int apLane = lane(grouped, "checkout", "ap");
        int noneLane = lane(grouped, "checkout", null);
        assertThat(items.stream().filter(i -> i.get(3).equals((long) TimelineIndex.TASK) && i.get(0).equals((long) apLane))
                .map(i -> (Long) i.get(4)).sorted().toList()).isEqualTo(FilterTest.AP.stream().sorted().toList());
        assertThat(items.stream().filter(i -> i.get(3).equals((long) TimelineIndex.TASK) && i.get(0).equals((long) noneLane))
                .map(i -> (Long) i.get(4)).toList()).isEqualTo(FilterTest.NONE);
        long groupedBusy = 0;
        long plainBusy = 0;
        TimelineIndex all = built(f, new TimelineIndex(), null);
        for (String g : new String[] {"ap", "eu", null}) {
            for (long b : grouped.bins(lane(grouped, "checkout", g))) {
                groupedBusy += b;
            }
        }
        for (long b : all.bins(lane(all, "checkout", null))) {
            plainBusy += b;
        }
        assertThat(groupedBusy).isEqualTo(plainBusy);
    }

    private static TimelineIndex built(Path f, TimelineIndex index, FilteredHandler through) throws Exception {
        index.lock.lock();
        Scan.read(f, through == null ? index : through, null, index::reading);
        if (through != null) {
            through.finish();
        }
        index.finish(java.nio.file.Files.size(f));
        index.complete = true;
        index.lock.unlock();
        return index;
    }

    /** @return the lane of a type (and group), which must exist: a missing one is not taken as empty */
    static int lane(TimelineIndex index, String type, String group) {
        int lane = index.laneOf(type, group);
        assertThat(lane).as("lane of %s/%s", type, group).isNotNegative();
        return lane;
    }

    private static long sum(List<List<Object>> values, int lane) {
        return values.stream().filter(v -> ((Long) v.get(0)).intValue() == lane)
                .flatMap(v -> v.subList(1, v.size()).stream()).mapToLong(x -> (Long) x).sum();
    }
}
