package io.asynctrace.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CappuccinoTest {
    @TempDir
    Path dir;

    @Test
    void bothVariantsRecordOneTaskPerOrderWithItsSpansAndLog() throws IOException {
        Path file = dir.resolve("c.trace");
        int orders = Barista.BURNT_EVERY + 1;
        Cappuccino.record(file, orders);

        TraceModel m = TraceModel.read(file);
        assertThat(m.complete()).isTrue();
        assertThat(m.dropped()).isZero();
        List<TaskInfo> tasks = m.tasks().stream().filter(t -> t.type().equals("makeCappuccino")).toList();
        assertThat(tasks).hasSize(2 * orders).allMatch(TaskInfo::complete);
        Map<String, Long> outcomes = tasks.stream().collect(Collectors.groupingBy(TaskInfo::outcome, Collectors.counting()));
        assertThat(outcomes).containsEntry("ok", 2L * (orders - 1))
                .containsEntry(Barista.BurntMilkException.class.getName(), 2L);

        Set<Long> ids = tasks.stream().map(TaskInfo::id).collect(Collectors.toSet());
        Map<String, Long> spans = m.spans().stream().filter(s -> ids.contains(s.taskId()))
                .collect(Collectors.groupingBy(SpanInfo::name, Collectors.counting()));
        assertThat(spans).containsEntry("steamMilk", 2L * orders).containsEntry("mixMilkCoffee", 2L * (orders - 1));
        // Reactor's zip cancels the espresso of the failed order, possibly before it started.
        assertThat(spans.get("extractCoffee")).isBetween(2L * orders - 1, 2L * orders);
        assertThat(m.logs().stream().filter(l -> l.category().equals("orderID") && ids.contains(l.taskId())))
                .hasSize(2 * orders);
        // Both adapters record executor hops: queued, started, finished.
        assertThat(m.jobs()).isNotEmpty();
        assertThat(m.jobs().stream().filter(j -> ids.contains(j.taskId()))).isNotEmpty();
    }
}
