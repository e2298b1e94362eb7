package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a task's attributes are settled, and which attributes come too late. */
class TaskTrackerTest {
    final List<TaskTracker.TaskState> decided = new ArrayList<>();
    final TaskTracker tracker = new TaskTracker(decided::add);

    @Test
    void anAttributeReadAfterTheEndInTheNextSegmentStillCounts() {
        tracker.begin(100, 1, 7, 0, "checkout", false);
        tracker.end(900, 1, 7, "ok");
        tracker.segment();
        assertThat(decided).isEmpty();
        tracker.attribute(500, 7, "region", "ap"); // set before the end, on a thread flushed later
        tracker.segment();
        assertThat(decided).singleElement().satisfies(t -> {
            assertThat(t.attr("region")).isEqualTo("ap");
            assertThat(t.end - t.start).isEqualTo(800);
        });
        tracker.attribute(950, 7, "late", "x"); // two segments later: not applied, counted
        tracker.finish();
        assertThat(tracker.lateAttributes()).isEqualTo(1);
    }

    @Test
    void theLatestTimeWinsAndAttributesBeforeTheBeginAreKept() {
        tracker.attribute(300, 8, "region", "eu");
        tracker.end(900, 2, 8, "ok");
        tracker.attribute(200, 8, "region", "ap"); // earlier time: loses
        tracker.begin(100, 1, 8, 0, "checkout", false);
        tracker.begin(150, 1, 9, 0, "checkout", false);
        tracker.attribute(160, 9, "region", "us");
        tracker.end(1000, 3, 10, "ok"); // its begin is never read
        tracker.finish();
        assertThat(decided).extracting(t -> t.id).containsExactly(8L, 9L);
        assertThat(decided.get(0).attr("region")).isEqualTo("eu");
        assertThat(decided.get(1).ended).isFalse();
        assertThat(decided.get(1).attr("region")).isEqualTo("us");
        assertThat(tracker.unmatchedEnds()).isEqualTo(1);
        assertThat(tracker.lateAttributes()).isZero();
    }

    @Test
    void filterTermsAndTimes() {
        Attributes a = new Attributes();
        a.put("region", "ap", 1);
        TaskFilter f = TaskFilter.parse(List.of("region=ap", "tier!=gold", "region"), "1.5ms", "2s");
        assertThat(f.matches(a)).isTrue();
        a.put("tier", "gold", 2);
        assertThat(f.matches(a)).isFalse();
        assertThat(f.matches(null)).isFalse();
        assertThat(TaskFilter.parse(List.of("tier!=gold"), null, null).matches(null)).isTrue();
        assertThat(TaskFilter.parse(List.of("url=/a?b=c"), null, null).matches(attrs("url", "/a?b=c"))).isTrue();
        assertThat(f.from()).isEqualTo(1_500_000);
        assertThat(f.to()).isEqualTo(2_000_000_000L);
        assertThat(TaskFilter.time("--from", "250")).isEqualTo(250);
        assertThat(TaskFilter.time("--from", "3us")).isEqualTo(3_000);
        assertThat(TaskFilter.time("--from", "2µs")).isEqualTo(2_000);
        assertThat(TaskFilter.time("--from", "1m")).isEqualTo(60_000_000_000L);
        assertThat(TaskFilter.time("--from", "0.5h")).isEqualTo(1_800_000_000_000L);
        assertThat(f.overlaps(0, 1_500_000)).isTrue();
        assertThat(f.overlaps(0, 1_499_999)).isFalse();
        assertThat(f.contains(2_000_000_001L)).isFalse();
    }

    private static Attributes attrs(String key, String value) {
        Attributes a = new Attributes();
        a.put(key, value, 0);
        return a;
    }

    /** Ends whose begin never comes were kept for the life of the pass, without bound. */
    @Test
    void endsWithoutABeginAreBoundedAndLetGoAtTheEnd() {
        int n = TaskTracker.ORPHAN_LIMIT + 5;
        for (int i = 1; i <= n; i++) {
            tracker.end(1000 + i, 1, i, "ok");
        }
        assertThat(tracker.pending()).isEqualTo(TaskTracker.ORPHAN_LIMIT);
        tracker.begin(10, 1, 1, 0, "late-begin", false); // a kept end's begin still pairs
        tracker.attribute(20, 999_999, "k", "v"); // a task never begun
        tracker.segment();
        tracker.segment();
        assertThat(decided).singleElement().satisfies(t -> assertThat(t.type).isEqualTo("late-begin"));
        tracker.finish();
        assertThat(tracker.unmatchedEnds()).isEqualTo(n - 1);
        assertThat(tracker.lateAttributes()).isEqualTo(1);
        assertThat(tracker.pending()).as("nothing held after finish()").isZero();
    }
}
