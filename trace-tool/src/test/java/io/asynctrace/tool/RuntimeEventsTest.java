package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.reader.TraceWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JVM runtime events in every command, on {@link RuntimeSample}. */
class RuntimeEventsTest {
    static final long MS = RuntimeSample.MS;
    static final long MIB = RuntimeSample.MIB;

    @TempDir
    Path dir;
    Path trace;

    @BeforeEach
    void write() throws Exception {
        trace = RuntimeSample.write(dir.resolve("rt.trace"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void summaryJson() {
        Cli r = Cli.run("summary", trace.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> rt = (Map<String, Object>) MiniJson.object(r.out()).get("runtime");
        assertThat(rt.get("events")).isEqualTo(10L);
        assertThat(rt.get("gc")).isEqualTo(Map.of("pauses", 2L, "total_ns", 4 * MS, "max_ns", 3 * MS));
        assertThat(rt.get("heap_min_bytes")).isEqualTo(30 * MIB);
        assertThat(rt.get("heap_max_bytes")).isEqualTo(50 * MIB);
        assertThat(rt.get("heap_last_bytes")).isEqualTo(30 * MIB);
        assertThat(rt.get("heap")).isEqualTo(List.of(Map.of("time_ns", 7 * MS, "used_bytes", 50 * MIB),
                Map.of("time_ns", 11 * MS, "used_bytes", 30 * MIB)));
        List<Map<String, Object>> kinds = MiniJson.list(rt.get("kinds"));
        assertThat(MiniJson.byKey(kinds, "kind", "thread_park")).containsEntry("count", 2L).containsEntry("total_ns", 2_300_000L);
        assertThat(MiniJson.byKey(kinds, "kind", "socket_read")).containsEntry("count", 1L).containsEntry("total_ns", MS);
        assertThat(MiniJson.byKey(kinds, "kind", "gc_pause")).containsEntry("count", 2L).containsEntry("total_ns", 4 * MS);
        assertThat(MiniJson.byKey(kinds, "kind", "heap_after_gc")).containsEntry("count", 2L);
        assertThat(kinds).hasSize(7);
        Map<String, Object> loss = (Map<String, Object>) rt.get("data_loss");
        assertThat(loss).containsEntry("reports", 1L).containsEntry("amount", 2048L);
        assertThat(MiniJson.list(loss.get("reasons"))).singleElement()
                .satisfies(x -> assertThat(x).containsEntry("reason", "JDK Flight Recorder lost 2048 bytes of events"));
        assertThat(rt.get("unavailable")).isEqualTo(List.of());
    }

    @Test
    void summaryText() {
        Cli r = Cli.run("summary", trace.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("runtime events lost: 1 reports, amount 2048",
                "GC pauses: 2, total 4.00ms, max 3.00ms",
                "heap after GC: min 30.0 MiB, max 50.0 MiB, last 30.0 MiB (2 GCs)", "RUNTIME EVENT", "thread_park");
        assertThat(r.out()).doesNotContain("unavailable");
    }

    @Test
    void noRuntimeEventsPrintNothingNew() throws Exception {
        Path plain = dir.resolve("plain.trace");
        try (TraceWriter w = new TraceWriter(Files.newOutputStream(plain))) {
            w.onHeader(new TraceHeader(1, 0, 0));
            w.onThread(1, "main");
            w.onTaskBegin(MS, 1, 1, 0, "order", false);
            w.onTaskEnd(2 * MS, 1, 1, "ok");
        }
        String summary = Cli.run("summary", plain.toString()).out();
        assertThat(summary).doesNotContain("GC", "runtime", "RUNTIME", "heap");
        String tasks = Cli.run("tasks", plain.toString()).out();
        assertThat(tasks).doesNotContain("blocked", "GC");
        Map<String, Object> task = MiniJson.list(MiniJson.parse(Cli.run("tasks", plain.toString(), "--json").out())).get(0);
        assertThat(task).containsEntry("blocked_ns", 0L).containsEntry("socket_ns", 0L).containsEntry("gc_ns", 0L)
                .containsEntry("runtime", List.of());
    }

    @Test
    @SuppressWarnings("unchecked")
    void unavailableIsSaid() throws Exception {
        Path none = dir.resolve("none.trace");
        try (TraceWriter w = new TraceWriter(Files.newOutputStream(none))) {
            w.onHeader(new TraceHeader(1, 0, 0));
            w.onThread(0, "JVM");
            w.onRuntime(0, 0, RuntimeKind.UNAVAILABLE, 0, 0, "the jdk.jfr module is not in this runtime");
        }
        Cli text = Cli.run("summary", none.toString());
        assertThat(text.out()).contains("runtime events unavailable: the jdk.jfr module is not in this runtime")
                .doesNotContain("GC pauses", "RUNTIME EVENT");
        Map<String, Object> rt = (Map<String, Object>) MiniJson.object(Cli.run("summary", none.toString(), "--json").out())
                .get("runtime");
        assertThat(rt.get("unavailable")).isEqualTo(List.of("the jdk.jfr module is not in this runtime"));
        assertThat(((Map<String, Object>) rt.get("gc")).get("pauses")).isEqualTo(0L);
        assertThat(rt.get("heap_max_bytes")).isNull();
    }

    @Test
    void tasksJsonAttributesByThreadAndOverlap() {
        Cli r = Cli.run("tasks", trace.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<Map<String, Object>> tasks = MiniJson.list(MiniJson.parse(r.out()));
        assertThat(task(tasks, 100)).containsEntry("blocked_ns", 2 * MS).containsEntry("socket_ns", 500_000L)
                .containsEntry("gc_ns", MS).containsEntry("threads", List.of("worker-7"));
        assertThat(task(tasks, 200)).containsEntry("blocked_ns", MS).containsEntry("socket_ns", 0L)
                .containsEntry("gc_ns", 3 * MS).containsEntry("threads", List.of("main", "worker-8"));
        assertThat(events(task(tasks, 100))).containsSubsequence("task order begins",
                "park 2.00ms on java.util.concurrent.locks.ReentrantLock", "GC pause 3.00ms G1 Young",
                "socket read 1.00ms 1024 B 127.0.0.1:5000", "task ends: ok");
        assertThat(events(task(tasks, 200))).contains("sleep 1.00ms", "GC pause 3.00ms G1 Young")
                .noneMatch(e -> e.startsWith("park") || e.startsWith("monitor"));
        List<Map<String, Object>> rt = MiniJson.list(task(tasks, 100).get("runtime"));
        assertThat(rt).extracting(x -> x.get("kind")).containsExactlyInAnyOrder("thread_park", "socket_read", "gc_pause");
        assertThat(MiniJson.byKey(rt, "kind", "socket_read")).containsEntry("time_ns", 4_500_000L)
                .containsEntry("duration_ns", MS).containsEntry("overlap_ns", 500_000L).containsEntry("value", 1024L)
                .containsEntry("detail", "127.0.0.1:5000").containsEntry("thread", "worker-7");
        assertThat(MiniJson.byKey(rt, "kind", "gc_pause")).containsEntry("thread", "JVM").containsEntry("overlap_ns", MS);
    }

    @Test
    void tasksTextAndById() {
        Cli r = Cli.run("tasks", trace.toString(), "--id", "100");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("blocked 2.00ms   socket I/O 500µs   GC pauses 1.00ms",
                "park 2.00ms on java.util.concurrent.locks.ReentrantLock", "JVM");
        List<Map<String, Object>> one = MiniJson.list(MiniJson.parse(Cli.run("tasks", trace.toString(), "--id", "200",
                "--json").out()));
        assertThat(one).singleElement().satisfies(t -> assertThat(t).containsEntry("gc_ns", 3 * MS).containsEntry("blocked_ns", MS));
    }

    @Test
    void passTwoKeepsOnlyTheWindowsEvents() {
        Tasks.Result r = Tasks.find(trace, "order", 0, -1, 1, true, TaskFilter.NONE, null);
        assertThat(r.tasks()).singleElement().satisfies(t -> {
            assertThat(t.t.id).isEqualTo(200);
            assertThat(t.runtime.events).extracting(a -> a.event().kind())
                    .containsExactly(RuntimeKind.THREAD_SLEEP, RuntimeKind.GC_PAUSE);
        });
        // B's window is 3 → 9 ms: the second GC (10 ms), heap and loss reports are not kept.
        TaskDetails d = new TaskDetails(List.of(200L), RuntimeWindows.of(new long[] {3 * MS}, new long[] {9 * MS}, 1));
        Scan.read(trace, d, null);
        assertThat(d.sawRuntime).isTrue();
        assertThat(d.runtime).hasSize(6).noneMatch(e -> e.time() >= 10 * MS);
        RuntimeWindows w = RuntimeWindows.of(new long[] {5, 1, 20}, new long[] {9, 6, 30}, 3);
        assertThat(w.overlaps(0, 0)).isFalse();
        assertThat(w.overlaps(0, 1)).isTrue();
        assertThat(w.overlaps(10, 19)).isFalse();
        assertThat(w.overlaps(9, 9)).isTrue();
        assertThat(w.overlaps(25, 100)).isTrue();
        assertThat(w.overlaps(31, 100)).isFalse();
        assertThat(RuntimeWindows.NONE.overlaps(0, Long.MAX_VALUE)).isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void perfettoExport() throws Exception {
        Path out = dir.resolve("rt.json");
        Cli r = Cli.run("export", trace.toString(), "--format", "perfetto", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<Map<String, Object>> events = MiniJson.traceEvents(out);
        List<Map<String, Object>> gc = events.stream().filter(e -> "GC pause".equals(e.get("name"))).collect(Collectors.toList());
        assertThat(gc).hasSize(2).allSatisfy(e -> assertThat(e).containsEntry("ph", "X").containsEntry("tid", 0L)
                .containsEntry("cat", "gc"));
        assertThat(gc.get(0)).containsEntry("ts", 4000.0).containsEntry("dur", 3000.0);
        List<Map<String, Object>> heap = events.stream().filter(e -> "C".equals(e.get("ph"))).collect(Collectors.toList());
        assertThat(heap).extracting(e -> ((Map<String, Object>) e.get("args")).get("used_bytes"))
                .containsExactly(50 * MIB, 30 * MIB);
        assertThat(events).anySatisfy(e -> assertThat(e).containsEntry("ph", "X").containsEntry("name", "park")
                .containsEntry("tid", 7L).containsEntry("ts", 2000.0).containsEntry("dur", 2000.0));
        assertThat(events).anySatisfy(e -> assertThat(e).containsEntry("ph", "X").containsEntry("name", "socket read")
                .containsEntry("tid", 7L).containsEntry("args", Map.of("detail", "127.0.0.1:5000", "bytes", 1024L)));
        assertThat(events).anySatisfy(e -> assertThat(e).containsEntry("ph", "i").containsEntry("name", "runtime data loss"));
        assertThat(events).anySatisfy(e -> assertThat(e).containsEntry("name", "thread_name").containsEntry("tid", 0L)
                .containsEntry("args", Map.of("name", "JVM")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void viewEndpoints() throws Exception {
        try (ViewServer server = ViewServer.start(trace, 0, null)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            // 503 while the background pass runs (a moment for this small trace).
            String[] got = new String[1];
            WebDriver.waitUntil(java.time.Duration.ofSeconds(30), () -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/summary")).build(),
                        HttpResponse.BodyHandlers.ofString());
                got[0] = r.body();
                return r.statusCode() == 200;
            });
            String summary = got[0];
            Map<String, Object> rt = (Map<String, Object>) ((Map<String, Object>) MiniJson.object(summary).get("summary"))
                    .get("runtime");
            assertThat(((Map<String, Object>) rt.get("gc")).get("pauses")).isEqualTo(2L);
            assertThat(MiniJson.list(rt.get("heap"))).hasSize(2);
            String[] answered = new String[1];
            WebDriver.waitUntil(java.time.Duration.ofSeconds(60), () -> { // asked again while the whole-file query runs
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/task?id=100")).build(),
                        HttpResponse.BodyHandlers.ofString());
                answered[0] = r.body();
                return r.statusCode() != 503;
            });
            String task = answered[0];
            Map<String, Object> t = MiniJson.object(task);
            assertThat(t).containsEntry("blocked_ns", 2 * MS).containsEntry("gc_ns", MS);
            assertThat(MiniJson.list(t.get("runtime"))).hasSize(3);
            String page = http.send(HttpRequest.newBuilder(URI.create(base + "/view.js")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).contains("gc_pause", "runtimeOverview");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void mergeKeepsThemPerInput() throws Exception {
        Path copy = dir.resolve("rt2.trace");
        Files.copy(trace, copy);
        Path out = dir.resolve("merged.trace");
        Cli r = Cli.run("merge", trace.toString(), copy.toString(), "-o", out.toString(), "--labels", "A,B");
        assertThat(r.code()).as(r.err()).isZero();
        TraceModel m = TraceModel.read(out);
        assertThat(m.runtime()).hasSize(20);
        assertThat(m.threads()).containsValues("A:JVM", "B:JVM", "A:worker-7", "B:worker-7");
        long bJvm = m.threads().entrySet().stream().filter(e -> e.getValue().equals("B:JVM")).findFirst().orElseThrow().getKey();
        long bWorker = m.threads().entrySet().stream().filter(e -> e.getValue().equals("B:worker-7")).findFirst().orElseThrow()
                .getKey();
        assertThat(m.runtime()).filteredOn(e -> e.thread() == bJvm).hasSize(5);
        assertThat(m.runtime()).filteredOn(e -> e.thread() == bWorker)
                .extracting(e -> e.kind()).containsExactlyInAnyOrder(RuntimeKind.THREAD_PARK, RuntimeKind.SOCKET_READ);
        Map<String, Object> rt = (Map<String, Object>) MiniJson.object(Cli.run("summary", out.toString(), "--json").out())
                .get("runtime");
        assertThat(((Map<String, Object>) rt.get("gc")).get("pauses")).isEqualTo(4L);
        // Each process's tasks get only their own JVM's GC pauses.
        List<Map<String, Object>> tasks = MiniJson.list(MiniJson.parse(Cli.run("tasks", out.toString(), "--json").out()));
        assertThat(tasks).hasSize(4).allSatisfy(t -> assertThat(t.get("gc_ns")).isIn(MS, 3 * MS));
        assertThat(tasks).filteredOn(t -> t.get("blocked_ns").equals(2 * MS)).hasSize(2);
    }

    private static Map<String, Object> task(List<Map<String, Object>> tasks, long id) {
        return tasks.stream().filter(t -> t.get("id").equals(id)).findFirst().orElseThrow();
    }

    private static List<String> events(Map<String, Object> task) {
        return MiniJson.list(task.get("events")).stream().map(e -> (String) e.get("event")).collect(Collectors.toList());
    }
}
