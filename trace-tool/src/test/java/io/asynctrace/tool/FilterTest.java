package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Scope;
import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.testing.Work;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attributes in JSON, {@code --where}, {@code --group-by} and {@code --from}/{@code --to}, through the CLI. */
class FilterTest {
    @TempDir
    static Path dir;
    static Path file;
    /** Task ids by their region attribute ("" for none), in recording order. */
    static final List<Long> AP = new ArrayList<>();
    static final List<Long> EU = new ArrayList<>();
    static final List<Long> NONE = new ArrayList<>();
    static long vip;
    static long secondStart;
    static long secondEnd;

    /**
     * Six "checkout" tasks: three in region ap (one of which first said eu: the last
     * value wins; one with customer=vip, set on another thread), two in eu, one without
     * a region; each logs its region; one span with an attribute; then a "ping" task
     * without attributes.
     */
    @BeforeAll
    static void record() throws Exception {
        AP.clear();
        EU.clear();
        NONE.clear();
        file = dir.resolve("attrs.trace");
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
        try (OutputStream out = Files.newOutputStream(file)) {
            Trace.start(out);
            try {
                String[] regions = {"ap", "eu", "ap", "", "eu", "ap"};
                for (int i = 0; i < regions.length; i++) {
                    Task t = Trace.newTask("checkout");
                    try (Scope sc = t.makeCurrent()) {
                        if (i == 2) {
                            t.attr("region", "eu");
                        }
                        if (!regions[i].isEmpty()) {
                            t.attr("region", regions[i]);
                        }
                        Trace.log("region", regions[i].isEmpty() ? "none" : regions[i]);
                        if (i == 1) {
                            Span s = t.startSpan("db");
                            s.attr("table", "orders");
                            Work.spin(200_000);
                            s.end();
                        }
                        if (i == 5) {
                            pool.submit(() -> t.attr("customer", "vip")).get();
                            vip = t.id();
                        }
                        Work.spin(300_000 * (i + 1));
                    }
                    t.end();
                    (regions[i].equals("ap") ? AP : regions[i].equals("eu") ? EU : NONE).add(t.id());
                }
                try (Task ping = Trace.newTask("ping"); Scope sc = ping.makeCurrent()) {
                    Trace.log("ping", "pong");
                }
            } finally {
                Trace.stop();
            }
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        Map<String, Object> second = tasks("--id", Long.toString(EU.get(0))).get(0);
        secondStart = (Long) second.get("start_ns");
        secondEnd = secondStart + (Long) second.get("duration_ns");
    }

    static List<Map<String, Object>> tasks(String... args) {
        List<String> all = new ArrayList<>(List.of("tasks", file.toString(), "--json"));
        all.addAll(List.of(args));
        Cli r = Cli.run(all.toArray(new String[0]));
        assertThat(r.code()).as(r.err()).isZero();
        return MiniJson.list(MiniJson.parse(r.out()));
    }

    static List<Long> ids(List<Map<String, Object>> rows) {
        return rows.stream().map(t -> (Long) t.get("id")).sorted().toList();
    }

    static List<Long> sorted(List<Long> a, List<Long> b) {
        List<Long> all = new ArrayList<>(a);
        all.addAll(b);
        return all.stream().sorted().toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void tasksJsonHasAttributesTheLastValueWinning() {
        List<Map<String, Object>> all = tasks("--type", "checkout");
        assertThat(all).hasSize(6).allSatisfy(t -> assertThat(t).containsKey("attrs"));
        Map<String, Object> third = all.stream().filter(t -> t.get("id").equals(AP.get(1))).findFirst().orElseThrow();
        assertThat((Map<String, Object>) third.get("attrs")).containsExactly(Map.entry("region", "ap"));
        Map<String, Object> last = all.stream().filter(t -> t.get("id").equals(vip)).findFirst().orElseThrow();
        assertThat((Map<String, Object>) last.get("attrs")).containsEntry("region", "ap").containsEntry("customer", "vip");
        Map<String, Object> none = all.stream().filter(t -> t.get("id").equals(NONE.get(0))).findFirst().orElseThrow();
        assertThat((Map<String, Object>) none.get("attrs")).isEmpty();
        Map<String, Object> withSpan = all.stream().filter(t -> t.get("id").equals(EU.get(0))).findFirst().orElseThrow();
        Map<String, Object> db = MiniJson.list(withSpan.get("spans")).get(0);
        assertThat((Map<String, Object>) db.get("attrs")).containsExactly(Map.entry("table", "orders"));

        Cli text = Cli.run("tasks", file.toString(), "--id", Long.toString(vip));
        assertThat(text.out()).contains("attrs: region=ap, customer=vip");
    }

    @Test
    void whereEqualsNotEqualsAndPresentAllMustHold() {
        assertThat(ids(tasks("--where", "region=ap"))).isEqualTo(AP.stream().sorted().toList());
        assertThat(ids(tasks("--where", "region=eu"))).isEqualTo(EU.stream().sorted().toList());
        assertThat(ids(tasks("--where", "region"))).isEqualTo(sorted(AP, EU));
        // != holds for tasks without the attribute, "ping" included.
        List<Long> notAp = ids(tasks("--where", "region!=ap"));
        assertThat(notAp).containsAll(EU).containsAll(NONE).doesNotContainAnyElementsOf(AP).hasSize(EU.size() + NONE.size() + 1);
        // Set on another thread, still seen; all terms must hold.
        assertThat(ids(tasks("--where", "region=ap", "--where", "customer=vip"))).containsExactly(vip);
        assertThat(ids(tasks("--where", "region=eu", "--where", "customer=vip"))).isEmpty();
        assertThat(Cli.run("tasks", file.toString(), "--where", "region=mars").out())
                .startsWith("no tasks matching --where region=mars in ");
    }

    @Test
    @SuppressWarnings("unchecked")
    void summaryWhereAndGroupBy() {
        Cli r = Cli.run("summary", file.toString(), "--json", "--where", "region=ap");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> s = MiniJson.object(r.out());
        List<Map<String, Object>> rows = MiniJson.list(s.get("tasks"));
        assertThat(rows).singleElement().satisfies(t -> {
            assertThat(t.get("type")).isEqualTo("checkout");
            assertThat(t.get("count")).isEqualTo(3L);
            assertThat(t).doesNotContainKey("group");
        });
        // Spans and logs are those of the matching tasks only.
        assertThat(MiniJson.list(s.get("spans"))).isEmpty();
        assertThat(MiniJson.byKey(MiniJson.list(s.get("logs")), "category", "region").get("count")).isEqualTo(3L);

        Cli g = Cli.run("summary", file.toString(), "--json", "--group-by", "region");
        assertThat(g.code()).as(g.err()).isZero();
        Map<String, Object> grouped = MiniJson.object(g.out());
        assertThat(grouped.get("group_by")).isEqualTo("region");
        assertThat(grouped.get("late_attributes")).isEqualTo(0L);
        List<Map<String, Object>> groups = MiniJson.list(grouped.get("tasks"));
        assertThat(groups).extracting(t -> t.get("type")).containsExactly("checkout", "checkout", "checkout", "ping");
        assertThat(groups.get(0).get("group")).isEqualTo(Map.of("region", "ap"));
        assertThat(groups.get(0).get("count")).isEqualTo(3L);
        assertThat(groups.get(1).get("group")).isEqualTo(Map.of("region", "eu"));
        assertThat(groups.get(1).get("count")).isEqualTo(2L);
        assertThat(groups.get(2).get("group")).isNull();
        assertThat(groups.get(2)).containsKey("group");
        assertThat(groups.get(2).get("count")).isEqualTo(1L);
        assertThat(groups.get(3).get("group")).isNull();
        for (Map<String, Object> t : groups) {
            long inBuckets = MiniJson.list(t.get("histogram")).stream().mapToLong(b -> (Long) b.get("count")).sum();
            assertThat(inBuckets).isEqualTo((Long) t.get("complete"));
        }

        Cli text = Cli.run("summary", file.toString(), "--group-by", "region", "--where", "region");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("TASK TYPE", "region", "checkout region=ap latency", "checkout region=eu latency")
                .doesNotContain("(none)");
    }

    @Test
    void logsWhereAndWindow() {
        Cli r = Cli.run("logs", file.toString(), "--json", "--where", "region=eu");
        List<Map<String, Object>> logs = MiniJson.list(MiniJson.parse(r.out()));
        assertThat(logs).extracting(l -> l.get("message")).containsExactly("eu", "eu");
        assertThat(logs).extracting(l -> l.get("task")).containsExactlyElementsOf(EU);

        Cli w = Cli.run("logs", file.toString(), "--json", "--from", secondStart + "ns", "--to", Long.toString(secondEnd));
        assertThat(MiniJson.list(MiniJson.parse(w.out()))).extracting(l -> l.get("task")).containsExactly(EU.get(0));
    }

    @Test
    @SuppressWarnings("unchecked")
    void logsAttrsGiveEachMessageItsTasksAttributes() {
        Cli r = Cli.run("logs", file.toString(), "--json", "--attrs");
        assertThat(r.code()).as(r.err()).isZero();
        List<Map<String, Object>> logs = MiniJson.list(MiniJson.parse(r.out()));
        assertThat(logs).extracting(l -> l.get("message")).containsExactly("ap", "eu", "ap", "none", "eu", "ap", "pong");
        for (Map<String, Object> l : logs.subList(0, 6)) {
            Map<String, Object> attrs = (Map<String, Object>) l.get("attrs");
            assertThat(attrs.getOrDefault("region", "none")).isEqualTo(l.get("message"));
        }
        // Set after the log, on another thread: still the task's.
        assertThat((Map<String, Object>) logs.get(5).get("attrs")).containsEntry("customer", "vip");
        assertThat((Map<String, Object>) logs.get(6).get("attrs")).isEmpty();
        assertThat(MiniJson.list(MiniJson.parse(Cli.run("logs", file.toString(), "--json").out())).get(0))
                .doesNotContainKey("attrs");
        assertThat(Cli.run("logs", file.toString(), "--attrs", "--category", "region").out())
                .contains("[region=ap, customer=vip]  region: ap");
    }

    @Test
    void fromToKeepsTasksThatOverlapTheWindow() {
        // A window inside the second task: only it overlaps.
        long mid = (secondStart + secondEnd) / 2;
        assertThat(ids(tasks("--from", Long.toString(mid), "--to", Long.toString(mid + 1)))).containsExactly(EU.get(0));
        // The same in milliseconds with decimals.
        String ms = String.format(java.util.Locale.ROOT, "%.6fms", mid / 1e6);
        assertThat(ids(tasks("--from", ms, "--to", ms))).containsExactly(EU.get(0));
        // Summary: tasks and spans that overlap the window, whole.
        Cli s = Cli.run("summary", file.toString(), "--json", "--from", Long.toString(mid), "--to", Long.toString(mid));
        Map<String, Object> summary = MiniJson.object(s.out());
        assertThat(MiniJson.list(summary.get("tasks"))).singleElement()
                .satisfies(t -> assertThat(t.get("max_ns")).isEqualTo(secondEnd - secondStart));
        // Nothing after the end.
        assertThat(tasks("--from", "1h")).isEmpty();
    }

    @Test
    void exportWhere() throws Exception {
        Path out = dir.resolve("ap.json");
        Cli r = Cli.run("export", file.toString(), "--format", "perfetto", "-o", out.toString(), "--where", "region=ap");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> doc = MiniJson.object(Files.readString(out));
        List<Map<String, Object>> events = MiniJson.list(doc.get("traceEvents"));
        List<Object> taskIds = events.stream().filter(e -> "task".equals(e.get("cat")) && "b".equals(e.get("ph")))
                .map(e -> e.get("id")).toList();
        assertThat(taskIds).containsExactlyInAnyOrderElementsOf(AP.stream().map(Long::toHexString).toList());
        assertThat(events.stream().filter(e -> "log".equals(e.get("cat")))).hasSize(3);
    }

    @Test
    void badFilterValuesAreOneLineErrors() {
        Cli.assertOneLine(Cli.run("summary", file.toString(), "--where", "=ap"),
                "asynctrace: --where =ap: the attribute key is empty (KEY=VALUE, KEY!=VALUE or KEY)");
        Cli.assertOneLine(Cli.run("tasks", file.toString(), "--from", "soon"),
                "asynctrace: --from soon: not a time");
        Cli.assertOneLine(Cli.run("logs", file.toString(), "--from", "2s", "--to", "1s"),
                "asynctrace: --from 2s is after --to 1s");
        Cli.assertOneLine(Cli.run("summary", file.toString(), "--group-by", ""),
                "asynctrace: --group-by needs an attribute key");
    }
}
