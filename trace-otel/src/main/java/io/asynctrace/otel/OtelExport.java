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
     * attempts per batch, 30 s timeout each.
     *
     * @param endpoint the full URL, such as {@code http://127.0.0.1:4318/v1/traces}
     * @return the exporter; shut it down after use
     * @throws IllegalArgumentException if the endpoint is not an http or https URL
     */
    public static SpanExporter otlpHttp(String endpoint) {
        return OtlpHttpSpanExporter.builder().setEndpoint(checkEndpoint(endpoint)).setTimeout(Duration.ofSeconds(30))
                .setRetryPolicy(RetryPolicy.builder().setMaxAttempts(3).setInitialBackoff(Duration.ofMillis(200))
                        .setMaxBackoff(Duration.ofSeconds(2)).build())
                .setMemoryMode(MemoryMode.IMMUTABLE_DATA).build();
    }

    /**
     * A Zipkin v2 exporter (JSON, gzip), sent with Zipkin's reporter library.
     *
     * @param endpoint the full URL, such as {@code http://127.0.0.1:9411/api/v2/spans}
     * @return the exporter; shut it down after use
     * @throws IllegalArgumentException if the endpoint is not an http or https URL
     */
    public static SpanExporter zipkin(String endpoint) {
        return new ZipkinExporter(checkEndpoint(endpoint));
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
