package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Threads' batches interleave in flush order, so an end can come before its begin:
 * the handlers must pair them by id either way round.
 */
class OutOfOrderTest {
    @Test
    void summaryPairsEndsThatComeFirst() {
        SummaryHandler s = new SummaryHandler();
        s.onThread(2, "b");
        s.onSpanEnd(500, 2, 11);
        s.onTaskEnd(900, 2, 10, "ok");
        s.onThread(1, "a");
        s.onTaskBegin(100, 1, 10, 0, "order", false);
        s.onSpanBegin(200, 1, 11, 0, 10, "hop");
        s.onTaskBegin(300, 1, 12, 0, "order", false);
        s.finish();
        SummaryHandler.TypeStats order = s.taskTypes.get(new SummaryHandler.Row("order", null));
        assertThat(order.latency.count).isEqualTo(2);
        assertThat(order.latency.complete).isEqualTo(1);
        assertThat(order.latency.max()).isEqualTo(800);
        assertThat(s.spanNames.get("hop").max()).isEqualTo(300);
        assertThat(s.unmatchedTaskEnds).isZero();
        assertThat(s.duration()).isEqualTo(800);
    }

    @Test
    void selectionAndDetailsPairEndsThatComeFirst() {
        TaskSelection sel = new TaskSelection("order", 0, -1, 0, false, TaskFilter.NONE);
        sel.onTaskEnd(900, 2, 10, "ok");
        sel.onTaskEnd(950, 2, 20, "ok"); // another type, begun later in the file
        sel.onTaskBegin(100, 1, 10, 0, "order", false);
        sel.onTaskBegin(150, 1, 20, 0, "other", false);
        List<TaskSelection.Chosen> chosen = sel.finish();
        assertThat(chosen).containsExactly(new TaskSelection.Chosen(10, 800, true, 100));

        TaskDetails d = new TaskDetails(List.of(10L));
        d.onThread(2, "worker");
        d.onJobStarted(400, 2, 30);
        d.onSpanEnd(600, 2, 11);
        d.onJobFinished(700, 2, 30);
        d.onTaskEnd(900, 2, 10, "ok");
        d.onThread(1, "main");
        d.onTaskBegin(100, 1, 10, 0, "order", false);
        d.onJobQueued(150, 1, 30, 10);
        d.onSpanBegin(450, 2, 11, 0, 10, "work");
        TaskReport r = new TaskReport(d.record(10), d);
        assertThat(r.duration).isEqualTo(800);
        assertThat(r.running).isEqualTo(300);
        assertThat(r.queued).isEqualTo(250);
        assertThat(r.other()).isEqualTo(250);
        assertThat(r.t.spans).singleElement().satisfies(sp -> assertThat(sp.end).isEqualTo(600));
        assertThat(r.threadNames()).containsExactly("main", "worker");
    }
}
