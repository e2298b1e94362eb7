package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import io.asynctrace.testing.Recording;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code export --format otlp} into a test receiver on loopback that decodes every request
 * body with the OTLP protocol's own classes, compared with {@code tasks --json}.
 */
class OtlpExportTest {
    @TempDir
    static Path dir;
    static Path demo;
    static Path many;

    private HttpServer server;
    private final List<ExportTraceServiceRequest> requests = new CopyOnWriteArrayList<>();
    /** Requests answered 200 before the receiver starts answering {@link #refuseWith}. */
    private final List<String> encodings = new CopyOnWriteArrayList<>();
    private final AtomicInteger acceptFirst = new AtomicInteger(Integer.MAX_VALUE);
    private volatile int refuseWith = 400;

    @BeforeAll
    static void record() throws Exception {
        demo = dir.resolve("cappuccino.trace");
        Cli recorded = Cli.run("demo", "-o", demo.toString(), "--orders", "25");
        assertThat(recorded.code()).as(recorded.err()).isZero();
        many = dir.resolve("many.trace");
        record(many, () -> {
            for (int i = 0; i < 1500; i++) {
                Task t = Trace.newTask("order");
                try (Scope s = t.makeCurrent()) {
                    Trace.withSpan("brew", () -> Trace.withSpan("grind", () -> { }));
                }
                t.end();
            }
        });
    }

    String start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
                encodings.add(gzip ? "gzip" : "identity");
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(gzip ? new GZIPInputStream(body) : body);
                boolean accept = acceptFirst.getAndDecrement() > 0;
                if (accept) {
                    requests.add(request);
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(accept ? 200 : refuseWith, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "--compression {0}")
    @ValueSource(strings = {"default", "gzip"}) // none on loopback by default
    void everyTaskOfTheDemoArrivesWithItsSpansLogsAndExactDurations(String compression) throws Exception {
        String endpoint = start();
        Cli export = compression.equals("default")
                ? Cli.run("export", demo.toString(), "--format", "otlp", "--endpoint", endpoint)
                : Cli.run("export", demo.toString(), "--format", "otlp", "--endpoint", endpoint, "--compression", compression);
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(encodings).containsOnly(compression.equals("gzip") ? "gzip" : "identity");
        List<Object> tasks = MiniJson.array(Cli.run("tasks", demo.toString(), "--json").out());
        List<ExportedSpans.Received> spans = received();
        ExportedSpans.check(tasks, spans, false);
        for (ExportTraceServiceRequest r : requests) {
            for (ResourceSpans rs : r.getResourceSpansList()) {
                assertThat(attributes(rs.getResource())).containsEntry("service.name", "cappuccino");
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    assertThat(ss.getScope().getName()).isEqualTo("io.asynctrace");
                }
            }
        }
    }

    @Test
    void idsAreTheSameEachTimeAndTheServiceNameIsTheOneGiven() throws Exception {
        String endpoint = start();
        assertThat(Cli.run("export", demo.toString(), "--format", "otlp", "--endpoint", endpoint).code()).isZero();
        List<String> first = received().stream().map(s -> s.traceId() + "/" + s.id() + "/" + s.parentId()).sorted()
                .collect(Collectors.toList());
        requests.clear();
        assertThat(Cli.run("export", demo.toString(), "--format", "otlp", "--endpoint", endpoint, "--service",
                "barista").code()).isZero();
        List<String> second = received().stream().map(s -> s.traceId() + "/" + s.id() + "/" + s.parentId()).sorted()
                .collect(Collectors.toList());
        assertThat(second).isEqualTo(first).doesNotHaveDuplicates();
        assertThat(attributes(requests.get(0).getResourceSpans(0).getResource())).containsEntry("service.name", "barista");
    }

    @Test
    void aReceiverThatStartsRefusingExitsTwoSayingHowManySpansItAccepted() throws Exception {
        acceptFirst.set(1);
        refuseWith = 400;
        String endpoint = start();
        Cli export = Cli.run("export", many.toString(), "--format", "otlp", "--endpoint", endpoint);
        assertThat(export.code()).isEqualTo(2);
        assertThat(export.err()).startsWith("asynctrace: cannot export to " + endpoint + ": ")
                .containsPattern("after \\d+ spans were accepted");
        assertThat(export.err().lines()).hasSize(1);
        // The count said is the count the receiver accepted: how the spans fell into the
        // first request depends on timing (a loaded machine once gave 404, not 2048).
        java.util.regex.Matcher said = java.util.regex.Pattern.compile("after (\\d+) spans were accepted")
                .matcher(export.err());
        assertThat(said.find()).isTrue();
        int accepted = Integer.parseInt(said.group(1));
        assertThat(accepted).isPositive();
        assertThat(received()).hasSize(accepted);
    }

    @Test
    void manyTasksGoInBatchesAndTheirSpansNest() throws Exception {
        String endpoint = start();
        Cli export = Cli.run("export", many.toString(), "--format", "otlp", "--endpoint", endpoint);
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).startsWith("exported 4500 spans to " + endpoint + " as service many: 1500 tasks, "
                + "3000 spans, 0 logs as span events");
        assertThat(requests.size()).isGreaterThanOrEqualTo(3);
        List<Object> tasks = MiniJson.array(Cli.run("tasks", many.toString(), "--json").out());
        ExportedSpans.check(tasks, received(), false);
        Map<String, ExportedSpans.Received> byId = new LinkedHashMap<>();
        received().forEach(s -> byId.put(s.id(), s));
        for (ExportedSpans.Received s : byId.values()) {
            if (s.name().equals("grind")) {
                ExportedSpans.Received brew = byId.get(s.parentId());
                assertThat(brew.name()).isEqualTo("brew");
                assertThat(byId.get(brew.parentId()).name()).isEqualTo("order");
            }
        }
    }

    @Test
    void anEndpointThatIsDownExitsTwo() throws Exception {
        String endpoint = start();
        server.stop(0);
        server = null;
        Cli export = Cli.run("export", demo.toString(), "--format", "otlp", "--endpoint", endpoint);
        assertThat(export.code()).isEqualTo(2);
        assertThat(export.err()).startsWith("asynctrace: cannot export to " + endpoint + ": ")
                .contains("after 0 spans were accepted");
        assertThat(export.err().lines()).hasSize(1);
    }

    @Test
    void badUsageIsOneLineAndExitTwo() {
        assertThat(Cli.run("export", demo.toString(), "--format", "otlp").err())
                .isEqualTo("asynctrace: --format otlp needs --endpoint URL, such as http://127.0.0.1:4318/v1/traces\n");
        Cli bad = Cli.run("export", demo.toString(), "--format", "otlp", "--endpoint", "127.0.0.1:4318");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("asynctrace: --endpoint: endpoint must be an http:// or https:// URL");
        assertThat(Cli.run("export", demo.toString(), "--format", "zipkin", "--endpoint", "http://127.0.0.1:1/",
                "-o", "x.json").err()).startsWith("asynctrace: -o is for --format perfetto");
        assertThat(Cli.run("export", demo.toString(), "--format", "jaeger", "--endpoint", "http://x/").err())
                .isEqualTo("asynctrace: unknown --format jaeger (supported: perfetto, otlp, zipkin)\n");
        assertThat(Cli.run("export", demo.toString(), "--format", "otlp", "--endpoint", "http://127.0.0.1:1/v1/traces",
                "--compression", "zstd").err()).isEqualTo("asynctrace: --compression: unknown compression zstd "
                + "(supported: gzip, none)\n");
        assertThat(Cli.run("export", demo.toString(), "--format", "zipkin", "--endpoint", "http://127.0.0.1:1/",
                "--encoding", "thrift").err()).isEqualTo("asynctrace: --encoding: unknown Zipkin encoding thrift "
                + "(supported: proto3, json)\n");
        assertThat(Cli.run("export", demo.toString(), "--format", "otlp", "--endpoint", "http://127.0.0.1:1/v1/traces",
                "--encoding", "json").err()).isEqualTo("asynctrace: --encoding is for --format zipkin (OTLP is always "
                + "protobuf)\n");
        assertThat(Cli.run("export", demo.toString(), "--format", "perfetto", "-o", dir.resolve("p.json").toString(),
                "--compression", "gzip").err()).startsWith("asynctrace: --endpoint, --service, --compression and "
                + "--encoding are for --format otlp and zipkin");
        assertThat(Cli.run("export", dir.resolve("missing.trace").toString(), "--format", "otlp", "--endpoint",
                "http://127.0.0.1:1/v1/traces").err()).endsWith("missing.trace: no such file\n");
    }

    /** @return every span the receiver accepted, as the comparison takes them */
    private List<ExportedSpans.Received> received() {
        List<ExportedSpans.Received> out = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (ExportTraceServiceRequest r : requests) {
            for (ResourceSpans rs : r.getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (Span s : ss.getSpansList()) {
                        Map<String, String> tags = new LinkedHashMap<>();
                        for (KeyValue kv : s.getAttributesList()) {
                            tags.put(kv.getKey(), text(kv.getValue()));
                        }
                        List<String> events = new ArrayList<>();
                        for (Span.Event e : s.getEventsList()) {
                            String message = e.getAttributesList().stream().filter(kv -> kv.getKey().equals("message"))
                                    .map(kv -> kv.getValue().getStringValue()).findFirst().orElse(null);
                            events.add(e.getName() + ": " + message);
                        }
                        Status st = s.getStatus();
                        String status = st.getCode() == Status.StatusCode.STATUS_CODE_ERROR ? "ERROR " + st.getMessage()
                                : st.getCode() == Status.StatusCode.STATUS_CODE_OK ? "OK" : "UNSET";
                        out.add(new ExportedSpans.Received(hex.formatHex(s.getTraceId().toByteArray()),
                                hex.formatHex(s.getSpanId().toByteArray()),
                                s.getParentSpanId().isEmpty() ? null : hex.formatHex(s.getParentSpanId().toByteArray()),
                                s.getName(), s.getStartTimeUnixNano(), s.getEndTimeUnixNano() - s.getStartTimeUnixNano(),
                                tags, events, status));
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, String> attributes(Resource resource) {
        Map<String, String> m = new LinkedHashMap<>();
        for (KeyValue kv : resource.getAttributesList()) {
            m.put(kv.getKey(), text(kv.getValue()));
        }
        return m;
    }

    /** @return the value as the Zipkin mapping writes it: arrays joined with commas */
    private static String text(AnyValue v) {
        switch (v.getValueCase()) {
            case STRING_VALUE: return v.getStringValue();
            case INT_VALUE: return String.valueOf(v.getIntValue());
            case BOOL_VALUE: return String.valueOf(v.getBoolValue());
            case DOUBLE_VALUE: return String.valueOf(v.getDoubleValue());
            case ARRAY_VALUE: return v.getArrayValue().getValuesList().stream().map(OtlpExportTest::text)
                    .collect(Collectors.joining(","));
            default: return v.toString();
        }
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
