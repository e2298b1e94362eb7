package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Scope;
import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.Work;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code export --format zipkin} into the real Zipkin server (one per class, loopback,
 * in-memory storage), read back through Zipkin's query API and compared with
 * {@code tasks --json}.
 */
class ZipkinExportTest {
    @TempDir
    static Path dir;
    static ZipkinServer zipkin;
    static Path demo;

    @BeforeAll
    static void start() throws Exception {
        zipkin = ZipkinServer.start(dir);
        demo = dir.resolve("cappuccino.trace");
        Cli recorded = Cli.run("demo", "-o", demo.toString(), "--orders", "25");
        assertThat(recorded.code()).as(recorded.err()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (zipkin != null) {
            zipkin.close();
        }
    }

    @ParameterizedTest(name = "--encoding {0} --compression {1}")
    @CsvSource({"proto3, none", "json, gzip"}) // the defaults on loopback; what an older backend may need
    void everyTaskOfTheDemoIsATraceOrChildSpanWithItsSpansAndLogs(String encoding, String compression)
            throws Exception {
        String service = "cappuccino-" + encoding;
        // a recording of its own: one file's ids exported under two service names would make one trace of both
        Path demo = dir.resolve(service + ".trace");
        Cli recorded = Cli.run("demo", "-o", demo.toString(), "--orders", "25");
        assertThat(recorded.code()).as(recorded.err()).isZero();
        Cli export = Cli.run("export", demo.toString(), "--format", "zipkin", "--endpoint", zipkin.spansUrl(),
                "--service", service, "--encoding", encoding, "--compression", compression);
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.err()).isEmpty();
        List<Object> tasks = MiniJson.array(Cli.run("tasks", demo.toString(), "--json").out());
        int expected = tasks.size();
        for (Object t : tasks) {
            expected += ((List<?>) ((Map<?, ?>) t).get("spans")).size();
        }
        assertThat(export.out()).startsWith("exported " + expected + " spans to " + zipkin.spansUrl()
                + " as service " + service + ": " + tasks.size() + " tasks");
        List<Map<String, Object>> stored = zipkin.spans(service, expected);
        Map<Long, ExportedSpans.Received> byTask = ExportedSpans.check(tasks, ExportedSpans.fromZipkin(stored), true);
        // Each root task is a trace of its own; its children are in it.
        Set<String> rootTraces = new HashSet<>();
        for (Object o : tasks) {
            Map<?, ?> t = (Map<?, ?>) o;
            ExportedSpans.Received span = byTask.get((Long) t.get("id"));
            if (t.get("parent") == null) {
                assertThat(span.parentId()).isNull();
                assertThat(rootTraces.add(span.traceId())).isTrue();
            }
        }
        assertThat(zipkin.traces(service)).hasSize(rootTraces.size());
    }

    @Test
    void theSameFileExportedTwiceHasTheSameIds() throws Exception {
        for (int i = 0; i < 2; i++) {
            Cli export = Cli.run("export", demo.toString(), "--format", "zipkin", "--endpoint", zipkin.spansUrl(),
                    "--service", "cappuccino-twice");
            assertThat(export.code()).as(export.err()).isZero();
        }
        List<Object> tasks = MiniJson.array(Cli.run("tasks", demo.toString(), "--json").out());
        // Zipkin merges spans sent twice with the same ids: the second export adds no trace or span.
        int expected = tasks.size();
        for (Object t : tasks) {
            expected += ((List<?>) ((Map<?, ?>) t).get("spans")).size();
        }
        List<Map<String, Object>> stored = zipkin.spans("cappuccino-twice", 2 * expected);
        Set<String> ids = new HashSet<>();
        for (Map<String, Object> s : stored) {
            ids.add(s.get("traceId") + "/" + s.get("id"));
        }
        assertThat(ids).hasSize(expected);
    }

    @Test
    void aMergedTraceIsOneTracePerRequestChain() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callSpan = "00f067aa0ba902b7";
        Path checkout = dir.resolve("checkout.trace");
        Path payments = dir.resolve("payments.trace");
        record(checkout, () -> {
            Trace.newTask("GET /health").end("200");
            Task order = Trace.newTask("GET /checkout").attr("http.target", "/checkout").attr("trace.id", traceId);
            try (Scope s = order.makeCurrent()) {
                Span call = order.startSpan("http.client POST").attr("trace.id", traceId).attr("trace.span_id", callSpan);
                Work.spin(20_000_000);
                call.attr("http.status", "200").end();
            }
            order.end("200");
        });
        record(payments, () -> {
            Task pay = Trace.newTask("POST /pay").attr("trace.id", traceId).attr("trace.parent_id", callSpan);
            try (Scope s = pay.makeCurrent()) {
                Trace.withSpan("validate", () -> Work.spin(2_000_000));
            }
            pay.end("500");
        });
        Path merged = dir.resolve("both.trace");
        assertThat(Cli.run("merge", checkout.toString(), payments.toString(), "-o", merged.toString()).code()).isZero();
        Cli export = Cli.run("export", merged.toString(), "--format", "zipkin", "--endpoint", zipkin.spansUrl());
        assertThat(export.code()).as(export.err()).isZero();
        List<Object> traces = zipkin.traces("both");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (traces.stream().mapToInt(t -> ((List<?>) t).size()).sum() < 5 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            traces = zipkin.traces("both");
        }
        assertThat(traces).hasSize(2); // GET /health alone; GET /checkout → http.client POST → POST /pay → validate
        List<ExportedSpans.Received> chain = traces.stream().map(t -> {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> spans = (List<Map<String, Object>>) t;
            return ExportedSpans.fromZipkin(spans);
        }).filter(t -> t.size() == 4).findFirst().orElseThrow();
        ExportedSpans.Received root = one(chain, "get /checkout");
        ExportedSpans.Received call = one(chain, "http.client post");
        ExportedSpans.Received pay = one(chain, "post /pay");
        ExportedSpans.Received validate = one(chain, "validate");
        assertThat(root.traceId()).isEqualTo(traceId);
        assertThat(root.parentId()).isNull();
        assertThat(call.id()).isEqualTo(callSpan);
        assertThat(call.parentId()).isEqualTo(root.id());
        assertThat(pay.parentId()).isEqualTo(callSpan);
        assertThat(pay.status()).isEqualTo("ERROR 500");
        assertThat(root.status()).isEqualTo("UNSET");
        assertThat(validate.parentId()).isEqualTo(pay.id());
        for (ExportedSpans.Received s : chain) {
            assertThat(s.traceId()).isEqualTo(traceId);
        }
    }

    @Test
    void anEndpointThatIsDownExitsTwoWithTheAcceptedCount() throws Exception {
        String closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = "http://127.0.0.1:" + s.getLocalPort() + "/api/v2/spans";
        }
        Cli export = Cli.run("export", demo.toString(), "--format", "zipkin", "--endpoint", closed);
        assertThat(export.code()).isEqualTo(2);
        assertThat(export.err()).startsWith("asynctrace: cannot export to " + closed + ": ")
                .contains("after 0 spans were accepted").doesNotContain("\tat ");
        assertThat(export.err().lines()).hasSize(1);
    }

    private static ExportedSpans.Received one(List<ExportedSpans.Received> spans, String name) {
        return spans.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + spans));
    }

    /** Records {@code body} on this thread into {@code file}. */
    static void record(Path file, Runnable body) throws Exception {
        Recording rec = Recording.start();
        try {
            body.run();
        } finally {
            rec.stop();
        }
        Files.write(file, rec.bytes());
    }
}
