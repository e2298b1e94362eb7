package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group-by on a key with a value per task ({@code trace.id}): the lanes and summary rows
 * stay bounded ({@link Groups}), the tasks past the cap counted in one row per type. The
 * index's part failed on d1c91e9 (a lane of 4096 longs per task: out of memory at -Xmx64m).
 */
class GroupCapTest {
    static final int TASKS = 3000;
    @TempDir
    static Path dir;
    static Path file;

    @BeforeAll
    static void record() throws Exception {
        file = dir.resolve("ids.trace");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            Trace.start(out);
            try {
                for (int i = 0; i < TASKS; i++) {
                    try (Task t = Trace.newTask("request"); Scope sc = t.makeCurrent()) {
                        t.attr("trace.id", Integer.toHexString(0x10000 + i));
                    }
                }
                try (Task t = Trace.newTask("request")) {
                    t.attr("other", "x"); // one task without the key
                }
            } finally {
                Trace.stop();
            }
        }
    }

    @Test
    void groupByAHighCardinalityKeyKeepsTheLanesBounded() throws Exception {
        TimelineIndex index = new TimelineIndex(TaskFilter.NONE, "trace.id");
        index.lock.lock();
        Scan.read(file, index, null, index::reading);
        index.finish(Files.size(file));
        index.complete = true;
        index.lock.unlock();
        long binBytes = (long) index.lanes().size() * TimelineIndex.BINS * Long.BYTES;
        assertThat(binBytes).as("overview bins for %d lanes", index.lanes().size()).isLessThan(16L << 20);
        List<TimelineLanes.Lane> types = index.lanes().stream().filter(l -> l.kind().equals("type")).toList();
        // 64 values of their own, one lane of the other values, one of the task without it.
        assertThat(types).hasSize(Groups.PER_TYPE + 2);
        assertThat(types).filteredOn(TimelineLanes.Lane::otherValues).hasSize(1);
        assertThat(index.groupsFolded()).isEqualTo(TASKS - Groups.PER_TYPE);
        int other = index.laneOf("request", "ffffff");
        assertThat(index.lanes().get(other).otherValues()).isTrue();
        // Every task's time is in one of the lanes: the other values' lane holds most of it.
        TimelineIndex plain = new TimelineIndex();
        plain.lock.lock();
        Scan.read(file, plain, null, plain::reading);
        plain.finish(Files.size(file));
        plain.lock.unlock();
        long grouped = 0;
        for (TimelineLanes.Lane l : types) {
            grouped += sum(index.bins(index.lanes().indexOf(l)));
        }
        assertThat(grouped).isEqualTo(sum(plain.bins(plain.laneOf("request", null))));

        // The view's timeline says which lane it is, only by added fields.
        ViewData data = new ViewData(file, null);
        try {
            WebDriver.waitUntil(java.time.Duration.ofSeconds(30),
                    () -> Boolean.TRUE.equals(MiniJson.object(data.timeline(TaskFilter.NONE, "trace.id")).get("complete")));
            Map<String, Object> t = MiniJson.object(data.timeline(TaskFilter.NONE, "trace.id"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> lanes = (List<Map<String, Object>>) t.get("lanes");
            assertThat(lanes).filteredOn(l -> Boolean.TRUE.equals(l.get("other_values")))
                    .singleElement().satisfies(l -> assertThat(l.get("group")).isEqualTo(Map.of()));
            assertThat(t.get("group_limit")).isEqualTo((long) Groups.PER_TYPE);
        } finally {
            data.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void summaryGroupByAHighCardinalityKeyHasOneRowForTheOtherValues() throws Exception {
        SummaryHandler s = new SummaryHandler("trace.id");
        Scan scan = Scan.read(file, s, null);
        s.finish();
        assertThat(s.taskTypes).hasSize(Groups.PER_TYPE + 2);
        StringWriter out = new StringWriter();
        new SummaryReport(s, scan).json(new JsonWriter(out), true);
        Map<String, Object> json = MiniJson.object(out.toString());
        List<Map<String, Object>> tasks = (List<Map<String, Object>>) json.get("tasks");
        assertThat(tasks.stream().mapToLong(t -> (Long) t.get("count")).sum()).isEqualTo(TASKS + 1);
        // Values first, then the other values, then the tasks without the key.
        assertThat(tasks.get(tasks.size() - 2)).containsEntry("other_values", true).containsEntry("group", Map.of())
                .containsEntry("count", (long) (TASKS - Groups.PER_TYPE));
        assertThat(tasks.get(tasks.size() - 1).get("group")).isNull();
        assertThat(json).containsEntry("groups_folded", (long) (TASKS - Groups.PER_TYPE));
        StringWriter text = new StringWriter();
        new SummaryReport(s, scan).text(new java.io.PrintWriter(text), "ids.trace");
        assertThat(text.toString()).contains("(other values)", "tasks in a type's (other values) row: 2936");
    }

    /**
     * A trace with more task types than the lanes kept for them: past {@link TimelineLanes#MAX_TYPES}
     * the tasks of any further type share one lane, "other types" (review 17b R3: a lane of 32 KiB
     * of bins per type, without bound); its time adds up with the rest.
     */
    @Test
    @SuppressWarnings("unchecked")
    void manyTaskTypesShareOneLanePastTheCap() throws Exception {
        int types = TimelineLanes.MAX_TYPES + 40;
        Path many = dir.resolve("types.trace");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(many))) {
            Trace.start(out);
            try {
                for (int i = 0; i < types * 3; i++) {
                    try (Task t = Trace.newTask("type" + (i % types)); Scope sc = t.makeCurrent()) {
                        Trace.withSpan("step", () -> { });
                    }
                }
            } finally {
                Trace.stop();
            }
        }
        for (String groupBy : new String[] {null, "region"}) {
            TimelineIndex index = new TimelineIndex(TaskFilter.NONE, groupBy);
            index.lock.lock();
            Scan.read(many, index, null, index::reading);
            index.finish(Files.size(many));
            index.lock.unlock();
            List<TimelineLanes.Lane> typeLanes = index.lanes().stream().filter(l -> l.kind().equals("type")).toList();
            assertThat(typeLanes).as("group by %s", groupBy).hasSize(TimelineLanes.MAX_TYPES + 1);
            assertThat(typeLanes).filteredOn(TimelineLanes.Lane::otherTypes).singleElement()
                    .satisfies(l -> assertThat(l.name()).isEqualTo(TimelineLanes.OTHER_TYPES));
            int other = index.laneOf("type" + (types - 1), null);
            assertThat(index.lanes().get(other).otherTypes()).isTrue();
            assertThat(index.laneOf("type0", null)).isNotEqualTo(other);
            long busy = 0;
            for (TimelineLanes.Lane l : typeLanes) {
                busy += sum(index.bins(index.lanes().indexOf(l)));
            }
            TimelineIndex plain = new TimelineIndex();
            plain.lock.lock();
            Scan.read(many, plain, null, plain::reading);
            plain.finish(Files.size(many));
            plain.lock.unlock();
            assertThat(busy).isEqualTo(typeLanes.stream().mapToLong(l -> sum(plain.bins(plain.lanes().indexOf(
                    plain.lanes().stream().filter(p -> p.name().equals(l.name())).findFirst().orElseThrow())))).sum());
        }
        ViewData data = new ViewData(many, null);
        try {
            WebDriver.waitUntil(java.time.Duration.ofSeconds(30), data::ready);
            Map<String, Object> t = MiniJson.object(data.timeline(TaskFilter.NONE, null));
            assertThat((List<Map<String, Object>>) t.get("lanes")).filteredOn(l -> Boolean.TRUE.equals(l.get("other_types")))
                    .singleElement().satisfies(l -> assertThat(l).containsEntry("name", TimelineLanes.OTHER_TYPES)
                            .doesNotContainKey("group"));
        } finally {
            data.close();
        }
    }

    /** The memory budget of the view's indexes counts more than the bins: the long intervals, held items, open tasks. */
    @Test
    void anIndexCountsItsItemsNotOnlyItsBins() throws Exception {
        TimelineIndex index = new TimelineIndex(TaskFilter.parse(List.of("trace.id"), null, null), null);
        index.lock.lock();
        Scan.read(file, index, null, index::reading);
        long bins = index.lanes().stream().filter(l -> sum(index.bins(index.lanes().indexOf(l))) > 0).count()
                * TimelineIndex.BINS * Long.BYTES;
        assertThat(index.bytes()).as("bins, plus the set of matching tasks and what the pass tracks")
                .isGreaterThan(bins);
        index.lock.unlock();
    }

    private static long sum(long[] bins) {
        long total = 0;
        for (long b : bins) {
            total += b;
        }
        return total;
    }
}
