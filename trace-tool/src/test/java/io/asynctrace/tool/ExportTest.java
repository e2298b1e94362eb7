package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export --format perfetto: valid Chrome Trace Event JSON, split under the size budget. */
class ExportTest {
    @TempDir
    Path dir;

    @Test
    void spansTasksLogsFlowsAndThreadNames() throws Exception {
        Path trace = dir.resolve("s.trace");
        Traces.Sample ids = Traces.sample(trace);
        Path out = dir.resolve("s.json");
        Cli r = Cli.run("export", trace.toString(), "--format", "perfetto", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote", out.toString());
        List<Map<String, Object>> events = MiniJson.traceEvents(out);
        for (Map<String, Object> e : events) {
            assertThat(e).containsKeys("ph", "name", "pid", "tid");
        }
        Set<Object> threadNames = events.stream().filter(e -> "thread_name".equals(e.get("name")))
                .map(e -> ((Map<?, ?>) e.get("args")).get("name")).collect(Collectors.toSet());
        assertThat(threadNames).contains("main-test", "worker-1");
        // Same-thread spans are complete events on their thread.
        Map<String, Object> work = events.stream().filter(e -> "X".equals(e.get("ph")) && "work".equals(e.get("name")))
                .findFirst().orElseThrow();
        assertThat((Double) work.get("dur")).isGreaterThanOrEqualTo(1000.0);
        // The detached span that ended on the worker is an async pair.
        assertThat(events.stream().filter(e -> "slowOp".equals(e.get("name"))).map(e -> e.get("ph")))
                .containsExactlyInAnyOrder("b", "e");
        // Each task is an async b/e pair with its id; the open one has only its b.
        String hop = Long.toHexString(ids.hop);
        assertThat(events.stream().filter(e -> "task".equals(e.get("cat")) && hop.equals(e.get("id"))).map(e -> e.get("ph")))
                .containsExactlyInAnyOrder("b", "e");
        String open = Long.toHexString(ids.open);
        assertThat(events.stream().filter(e -> "task".equals(e.get("cat")) && open.equals(e.get("id"))).map(e -> e.get("ph")))
                .containsExactly("b");
        // Logs are thread-scoped instants; the hop is a flow from queue to start.
        assertThat(events.stream().filter(e -> "i".equals(e.get("ph")) && "orderID".equals(e.get("name")))).hasSize(4);
        List<Map<String, Object>> flow = events.stream().filter(e -> "job".equals(e.get("cat"))
                && ("s".equals(e.get("ph")) || "f".equals(e.get("ph")))).toList();
        assertThat(flow).hasSize(2);
        assertThat(flow.get(0).get("id")).isEqualTo(flow.get(1).get("id"));
        Map<String, Object> finish = flow.stream().filter(e -> "f".equals(e.get("ph"))).findFirst().orElseThrow();
        assertThat(finish.get("bp")).isEqualTo("e");
        assertThat(threadOf(events, "worker-1")).isEqualTo(finish.get("tid"));
    }

    /** What it prints counts the events read, and says so: with --where the output holds fewer (it said "wrote N events"). */
    @Test
    void theCountPrintedIsOfTheEventsRead() throws Exception {
        Path trace = dir.resolve("w.trace");
        Traces.sample(trace);
        Path all = dir.resolve("all.json");
        Path none = dir.resolve("none.json");
        Cli a = Cli.run("export", trace.toString(), "--format", "perfetto", "-o", all.toString());
        Cli n = Cli.run("export", trace.toString(), "--format", "perfetto", "-o", none.toString(), "--where", "nosuchkey");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(n.code()).as(n.err()).isZero();
        String read = a.out().replaceAll("(?s).* from (\\d+) events read.*", "$1");
        assertThat(Long.parseLong(read)).isPositive();
        assertThat(n.out()).contains("wrote " + none + " from " + read + " events read");
        assertThat(MiniJson.traceEvents(none).size()).isLessThan(MiniJson.traceEvents(all).size());
    }

    private static Object threadOf(List<Map<String, Object>> events, String name) {
        return events.stream().filter(e -> "thread_name".equals(e.get("name"))
                && name.equals(((Map<?, ?>) e.get("args")).get("name"))).findFirst().orElseThrow().get("tid");
    }

    @Test
    void bigTracesAreSplitIntoPartsUnderTheBudget() throws Exception {
        Path trace = dir.resolve("big.trace");
        Traces.many(trace, 4000, 8);
        Path out = dir.resolve("big.json");
        Cli r = Cli.run("export", trace.toString(), "--format", "perfetto", "-o", out.toString(), "--max-part-mib", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("parts");
        List<Path> parts = Files.list(dir).filter(p -> p.getFileName().toString().matches("big(\\.\\d+)?\\.json"))
                .sorted().toList();
        assertThat(parts.size()).isGreaterThan(1);
        assertThat(dir.resolve("big.2.json")).exists();
        long spans = 0;
        for (Path part : parts) {
            assertThat(Files.size(part)).isLessThanOrEqualTo(1L << 20);
            List<Map<String, Object>> events = MiniJson.traceEvents(part);
            assertThat(events).anyMatch(e -> "thread_name".equals(e.get("name")));
            spans += events.stream().filter(e -> "X".equals(e.get("ph")) && "step".equals(e.get("name"))).count();
        }
        assertThat(spans).isEqualTo(4000L * 8);
    }
}
