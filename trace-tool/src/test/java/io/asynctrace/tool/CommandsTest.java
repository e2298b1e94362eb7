package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summary, tasks and logs against a trace recorded with the real API. */
class CommandsTest {
    @TempDir
    static Path dir;
    static Path file;
    static Traces.Sample ids;

    @BeforeAll
    static void record() throws Exception {
        file = dir.resolve("sample.trace");
        ids = Traces.sample(file);
    }

    @Test
    @SuppressWarnings("unchecked")
    void summaryJsonHasTheDocumentedShapeAndCounts() {
        Cli r = Cli.run("summary", file.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        Map<String, Object> s = MiniJson.object(r.out());
        assertThat(s).containsKeys("events", "dropped", "truncated", "tasks", "spans", "logs", "threads", "misuse");
        assertThat((Long) s.get("events")).isPositive();
        assertThat(s.get("dropped")).isEqualTo(0L);
        assertThat(s.get("truncated")).isEqualTo(false);
        assertThat(s.get("complete")).isEqualTo(true);

        Map<String, Object> order = MiniJson.byKey(MiniJson.list(s.get("tasks")), "type", "order");
        assertThat(order).containsKeys("p50_ns", "p90_ns", "p99_ns", "max_ns", "histogram");
        assertThat(order.get("count")).isEqualTo(4L);
        assertThat(order.get("complete")).isEqualTo(3L);
        assertThat((Map<Object, Object>) order.get("outcomes")).containsEntry("ok", 2L).containsEntry("timeout", 1L);
        long p50 = (Long) order.get("p50_ns");
        long max = (Long) order.get("max_ns");
        assertThat(p50).isPositive().isLessThanOrEqualTo(max);
        // The hop task spins 2 ms + 1 ms + 0.5 ms at least: the slowest order.
        assertThat(max).isGreaterThanOrEqualTo(3_500_000L);
        long inBuckets = MiniJson.list(order.get("histogram")).stream().mapToLong(b -> (Long) b.get("count")).sum();
        assertThat(inBuckets).isEqualTo(3L);
        assertThat(MiniJson.byKey(MiniJson.list(s.get("tasks")), "type", "payment").get("complete")).isEqualTo(1L);

        Map<String, Long> spans = MiniJson.list(s.get("spans")).stream()
                .collect(Collectors.toMap(m -> (String) m.get("name"), m -> (Long) m.get("count")));
        assertThat(spans).containsEntry("validate", 1L).containsEntry("charge", 1L).containsEntry("work", 1L)
                .containsEntry("slowOp", 1L);
        assertThat((Long) MiniJson.byKey(MiniJson.list(s.get("spans")), "name", "work").get("p50_ns")).isGreaterThanOrEqualTo(1_000_000L);
        Map<String, Long> logs = MiniJson.list(s.get("logs")).stream()
                .collect(Collectors.toMap(m -> (String) m.get("category"), m -> (Long) m.get("count")));
        assertThat(logs).containsExactlyInAnyOrderEntriesOf(Map.of("orderID", 4L, "note", 1L));
        assertThat(MiniJson.list(s.get("threads")).stream().map(t -> t.get("name"))).contains("main-test", "worker-1");
    }

    @Test
    void summaryTextShowsTablesAndAHistogram() {
        Cli r = Cli.run("summary", file.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("TASK TYPE", "order", "payment", "SPAN", "validate", "LOG CATEGORY", "orderID",
                "main-test", "worker-1", "complete", "order latency (outcomes ok 2, timeout 1)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void tasksJsonListsInstancesSlowestFirstWithTheirEventsAndBreakdown() {
        Cli r = Cli.run("tasks", file.toString(), "--type", "order", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<Map<String, Object>> tasks = MiniJson.list(MiniJson.parse(r.out()));
        assertThat(tasks).hasSize(4);
        for (Map<String, Object> t : tasks) {
            assertThat(t).containsKeys("id", "type", "parent", "start_ns", "duration_ns", "outcome", "threads", "spans",
                    "logs", "running_ns", "queued_ns", "other_ns", "events");
        }
        List<Long> durations = tasks.stream().map(t -> (Long) t.get("duration_ns")).toList();
        assertThat(durations).isSortedAccordingTo((a, b) -> Long.compare(b, a));

        Map<String, Object> hop = tasks.stream().filter(t -> t.get("id").equals(ids.hop)).findFirst().orElseThrow();
        assertThat(hop.get("outcome")).isEqualTo("ok");
        assertThat(hop.get("parent")).isNull();
        assertThat((List<Object>) hop.get("threads")).containsExactly("main-test", "worker-1");
        Map<String, Object> work = MiniJson.byKey(MiniJson.list(hop.get("spans")), "name", "work");
        assertThat(work.get("thread")).isEqualTo("worker-1");
        assertThat((Long) work.get("duration_ns")).isGreaterThanOrEqualTo(1_000_000L);
        Map<String, Object> slow = MiniJson.byKey(MiniJson.list(hop.get("spans")), "name", "slowOp");
        assertThat(slow.get("thread")).isEqualTo("main-test");
        assertThat(slow.get("end_thread")).isEqualTo("worker-1");
        assertThat(MiniJson.list(hop.get("logs")).stream().map(l -> l.get("message"))).containsExactly("2", Traces.NASTY);
        long duration = (Long) hop.get("duration_ns");
        long running = (Long) hop.get("running_ns");
        long queued = (Long) hop.get("queued_ns");
        long other = (Long) hop.get("other_ns");
        assertThat(running + queued + other).isEqualTo(duration);
        assertThat(running).isGreaterThanOrEqualTo(1_000_000L);
        assertThat(queued).isGreaterThanOrEqualTo(2_000_000L);
        assertThat(other).isGreaterThanOrEqualTo(500_000L);
        List<String> events = MiniJson.list(hop.get("events")).stream().map(e -> (String) e.get("event")).toList();
        assertThat(events).first().isEqualTo("task order begins");
        assertThat(events).last().isEqualTo("task ends: ok");
        assertThat(events).anyMatch(e -> e.startsWith("child task payment #" + ids.child))
                .anyMatch(e -> e.matches("job #\\d+ queued"))
                .anyMatch(e -> e.matches("job #\\d+ started on worker-1 after waiting .* for a thread"))
                .contains("span work begins", "span slowOp ends");
        List<Long> times = MiniJson.list(hop.get("events")).stream().map(e -> (Long) e.get("time_ns")).toList();
        assertThat(times).isSorted();

        Map<String, Object> open = tasks.stream().filter(t -> t.get("id").equals(ids.open)).findFirst().orElseThrow();
        assertThat(open.get("complete")).isEqualTo(false);
        assertThat(open.get("outcome")).isNull();
        Map<String, Object> timeout = tasks.stream().filter(t -> t.get("id").equals(ids.timeout)).findFirst().orElseThrow();
        assertThat(timeout.get("outcome")).isEqualTo("timeout");
    }

    @Test
    void tasksSlowestKeepsOnlyTheSlowestAndIdFindsOne() {
        Cli slowest = Cli.run("tasks", file.toString(), "--type", "order", "--slowest", "1", "--json");
        List<Map<String, Object>> one = MiniJson.list(MiniJson.parse(slowest.out()));
        Cli all = Cli.run("tasks", file.toString(), "--type", "order", "--json");
        assertThat(one).hasSize(1);
        assertThat(one.get(0).get("id")).isEqualTo(MiniJson.list(MiniJson.parse(all.out())).get(0).get("id"));

        Cli child = Cli.run("tasks", file.toString(), "--id", Long.toString(ids.child), "--json");
        Map<String, Object> pay = MiniJson.list(MiniJson.parse(child.out())).get(0);
        assertThat(pay.get("type")).isEqualTo("payment");
        assertThat(pay.get("parent")).isEqualTo(ids.hop);
        assertThat(MiniJson.list(pay.get("spans")).get(0).get("name")).isEqualTo("charge");

        Cli text = Cli.run("tasks", file.toString(), "--slowest", "2");
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("task #" + ids.hop + " order", "WHEN (ms)", "ELAPSED", "THREAD", "EVENT",
                "running", "queued for a thread", "span work begins");
        assertThat(Cli.run("tasks", file.toString(), "--type", "nosuch").out()).startsWith("no tasks of type nosuch");
    }

    @Test
    void logsFilterByCategoryAndTextAndEscapeJson() {
        Cli r = Cli.run("logs", file.toString(), "--category", "orderID", "--json");
        assertThat(r.code()).isZero();
        List<Map<String, Object>> logs = MiniJson.list(MiniJson.parse(r.out()));
        assertThat(logs.stream().map(l -> l.get("message"))).containsExactlyInAnyOrder("1", "2", "3", "4");
        assertThat(logs).allSatisfy(l -> {
            assertThat(l).containsKeys("time_ns", "thread", "task", "task_type", "category", "message");
            assertThat(l.get("task_type")).isEqualTo("order");
        });

        Cli nasty = Cli.run("logs", file.toString(), "--grep", "snowman", "--json");
        List<Map<String, Object>> found = MiniJson.list(MiniJson.parse(nasty.out()));
        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("message")).isEqualTo(Traces.NASTY);
        assertThat(found.get(0).get("task")).isEqualTo(ids.hop);

        Cli text = Cli.run("logs", file.toString(), "--grep", "snowman");
        assertThat(text.out()).contains("main-test", "task #" + ids.hop + " order", "note: quote");
        assertThat(Cli.run("logs", file.toString(), "--category", "none", "--json").out().trim()).isEqualTo("[]");
    }

    @Test
    void helpAndUsageErrors() {
        assertThat(Cli.run("--help").out()).contains("summary", "tasks", "logs", "export", "view", "demo");
        Cli bad = Cli.run("summary", file.toString(), "--bogus");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("Unknown option");
        Cli badFormat = Cli.run("export", file.toString(), "--format", "svg", "-o", dir.resolve("x").toString());
        assertThat(badFormat.code()).isEqualTo(2);
        assertThat(badFormat.err().strip()).isEqualTo("asynctrace: unknown --format svg (supported: perfetto, otlp, zipkin)");
    }
}
