package io.asynctrace.otel;

import io.asynctrace.reader.TraceReader;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Sends asynctrace traces to the tracing systems users already run: any OpenTelemetry
 * {@link SpanExporter}, such as OTLP/HTTP to an OpenTelemetry Collector, Jaeger or Tempo,
 * or Zipkin's v2 API.
 *
 * <pre>{@code
 * SpanExporter otlp = OtelExport.otlpHttp("http://127.0.0.1:4318/v1/traces");
 * ExportResult sent = OtelExport.exportFile(Path.of("app.trace"), otlp, "checkout");
 * otlp.shutdown();
 * }</pre>
 *
 * <p>Each task becomes a span named by its type, each asynctrace span a child span of its
 * task, each log an event; see {@code docs/OTEL.md} for the whole mapping. For a running
 * recording, see {@link LiveExporter}.
 */
public final class OtelExport {
    private OtelExport() {
    }

    /**
     * An OTLP/HTTP (protobuf) exporter, sent with the JDK's {@code HttpClient}: up to three
     * attempts per batch, 30 s timeout each, compressed as {@link #defaultCompression} says.
     *
     * @param endpoint the full URL, such as {@code http://127.0.0.1:4318/v1/traces}
     * @return the exporter; shut it down after use
     * @throws IllegalArgumentException if the endpoint is not an http or https URL
     */
    public static SpanExporter otlpHttp(String endpoint) {
        return otlpHttp(endpoint, defaultCompression(endpoint));
    }

    /**
     * {@link #otlpHttp(String)} with the compression chosen.
     *
     * @param endpoint the full URL, such as {@code http://127.0.0.1:4318/v1/traces}
     * @param compression {@code gzip} or {@code none}
     * @return the exporter; shut it down after use
     * @throws IllegalArgumentException if the endpoint is not an http or https URL, or the compression unknown
     */
    public static SpanExporter otlpHttp(String endpoint, String compression) {
        return OtlpHttpSpanExporter.builder().setEndpoint(checkEndpoint(endpoint)).setTimeout(Duration.ofSeconds(30))
                .setCompression(gzip(compression) ? "gzip" : "none")
                .setRetryPolicy(RetryPolicy.builder().setMaxAttempts(3).setInitialBackoff(Duration.ofMillis(200))
                        .setMaxBackoff(Duration.ofSeconds(2)).build())
                .setMemoryMode(MemoryMode.IMMUTABLE_DATA).build();
    }

    /**
     * A Zipkin v2 exporter, encoded and sent with Zipkin's own libraries: protocol buffers
     * ({@code proto3}: smaller than JSON and cheaper to encode; the Zipkin server took it at
     * 1.0 to 1.8 times the rate of JSON in our runs), compressed as
     * {@link #defaultCompression} says.
     *
     * @param endpoint the full URL, such as {@code http://127.0.0.1:9411/api/v2/spans}
     * @return the exporter; shut it down after use
     * @throws IllegalArgumentException if the endpoint is not an http or https URL
     */
    public static SpanExporter zipkin(String endpoint) {
        return zipkin(endpoint, "proto3", defaultCompression(endpoint));
    }

    /**
     * {@link #zipkin(String)} with the encoding and compression chosen.
     *
     * @param endpoint the full URL, such as {@code http://127.0.0.1:9411/api/v2/spans}
     * @param encoding {@code proto3} or {@code json} (JSON v2, for a backend that takes only that)
     * @param compression {@code gzip} or {@code none}
     * @return the exporter; shut it down after use
     * @throws IllegalArgumentException if the endpoint is not an http or https URL, or the encoding or
     *         compression unknown
     */
    public static SpanExporter zipkin(String endpoint, String encoding, String compression) {
        Objects.requireNonNull(encoding, "encoding");
        if (!encoding.equals("proto3") && !encoding.equals("json")) {
            throw new IllegalArgumentException("unknown Zipkin encoding " + encoding + " (supported: proto3, json)");
        }
        boolean gzip = gzip(compression);
        return new ZipkinExporter(checkEndpoint(endpoint), encoding.equals("proto3"), gzip);
    }

    /**
     * The compression an exporter gets when none is chosen: {@code none} for a loopback host
     * ({@code localhost}, {@code 127.x.x.x}, {@code ::1}), where compressing costs more CPU
     * than it saves (a Collector or Zipkin beside the exporter); {@code gzip} for any other
     * host, where it cuts the bytes sent about ninefold.
     *
     * @param endpoint an http or https URL
     * @return {@code none} or {@code gzip}
     * @throws IllegalArgumentException if the endpoint is not an http or https URL
     */
    public static String defaultCompression(String endpoint) {
        String host = URI.create(checkEndpoint(endpoint)).getHost().toLowerCase(Locale.ROOT);
        boolean loopback = host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
                || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        return loopback ? "none" : "gzip";
    }

    private static boolean gzip(String compression) {
        Objects.requireNonNull(compression, "compression");
        if (!compression.equals("gzip") && !compression.equals("none")) {
            throw new IllegalArgumentException("unknown compression " + compression + " (supported: gzip, none)");
        }
        return compression.equals("gzip");
    }

    /**
     * @param serviceName the {@code service.name} of the spans
     * @return the SDK's default resource with that service name
     */
    public static Resource resource(String serviceName) {
        return Resource.getDefault().toBuilder()
                .put(AttributeKey.stringKey("service.name"), Objects.requireNonNull(serviceName, "serviceName")).build();
    }

    /**
     * Prepares the export of one file, for callers that read it themselves.
     *
     * @param exporter where the spans go
     * @param serviceName their {@code service.name}
     * @return the export, to feed with two passes over the file
     */
    public static FileExport file(SpanExporter exporter, String serviceName) {
        return new FileExport(Objects.requireNonNull(exporter, "exporter"), resource(serviceName));
    }

    /**
     * Exports a trace file: reads it twice and sends its tasks, spans and logs in batches
     * as tasks end. A truncated file is exported as far as it goes.
     *
     * @param file the trace
     * @param exporter where the spans go (not shut down)
     * @param serviceName their {@code service.name}
     * @return what was sent
     * @throws IOException if the file cannot be read
     * @throws io.asynctrace.reader.CorruptTraceException if it is not a valid trace
     * @throws SpanExportException if the exporter refused a batch; it says how many spans were accepted
     */
    public static ExportResult exportFile(Path file, SpanExporter exporter, String serviceName) throws IOException {
        FileExport export = file(exporter, serviceName);
        try (TraceReader reader = TraceReader.open(file)) {
            reader.read(export.runtimePass());
        }
        try (TraceReader reader = TraceReader.open(file)) {
            reader.read(export.spanPass());
        }
        return export.finish();
    }

    /**
     * @param endpoint a URL
     * @return it, if it is an absolute http or https URL with a host
     * @throws IllegalArgumentException otherwise, saying what is wrong
     */
    static String checkEndpoint(String endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        try {
            URI uri = new URI(endpoint);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("endpoint must be an http:// or https:// URL, was " + endpoint);
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("endpoint has no host: " + endpoint);
            }
            return endpoint;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("endpoint must be an http:// or https:// URL, was " + endpoint
                    + " (" + e.getReason() + ")", e);
        }
    }
}
