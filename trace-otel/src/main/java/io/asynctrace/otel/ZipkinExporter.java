package io.asynctrace.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.SpanBytesEncoder;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * A {@link SpanExporter} to Zipkin's v2 HTTP API ({@code POST /api/v2/spans}, protocol
 * buffers or JSON v2, gzipped or not), encoded and sent by Zipkin's own libraries.
 *
 * <p>OpenTelemetry's {@code opentelemetry-exporter-zipkin} stopped being published with
 * OpenTelemetry Java 1.65.0; this maps {@link SpanData} as it did: trace, span and parent
 * ids; kind (INTERNAL has none); timestamp and duration in microseconds (at least 1);
 * the resource's {@code service.name} as the local endpoint; attributes as tags (arrays
 * joined with commas); status as {@code otel.status_code} and, for ERROR, {@code error}
 * = the description; the scope as {@code otel.scope.name}/{@code otel.scope.version};
 * events as annotations {@code NAME} or {@code NAME: MESSAGE} with the event's
 * {@code message} attribute.
 *
 * <p>Each {@link #export} runs on one of two sender threads, so two batches may be in
 * flight; a batch larger than the sender's message limit is sent in several requests.
 */
final class ZipkinExporter implements SpanExporter {
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final BytesMessageSender sender;
    private final SpanBytesEncoder encoder;
    private final boolean json;
    private final ExecutorService threads;

    /**
     * @param endpoint the URL of Zipkin's {@code /api/v2/spans}
     * @param proto3 whether to send protocol buffers (Zipkin's {@code PROTO3}) rather than JSON v2
     * @param gzip whether to compress the requests
     */
    ZipkinExporter(String endpoint, boolean proto3, boolean gzip) {
        this.json = !proto3;
        this.encoder = proto3 ? SpanBytesEncoder.PROTO3 : SpanBytesEncoder.JSON_V2;
        this.sender = URLConnectionSender.newBuilder().endpoint(endpoint).encoding(proto3 ? Encoding.PROTO3 : Encoding.JSON)
                .compressionEnabled(gzip).connectTimeout(10_000).readTimeout(60_000).build();
        this.threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "asynctrace-zipkin-sender");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        CompletableResultCode result = new CompletableResultCode();
        List<SpanData> copy = new ArrayList<>(spans);
        try {
            threads.execute(() -> {
                try {
                    send(copy);
                    result.succeed();
                } catch (IOException | RuntimeException e) {
                    result.failExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.failExceptionally(new IllegalStateException("the Zipkin exporter is shut down", e));
        }
        return result;
    }

    private void send(List<SpanData> spans) throws IOException {
        int max = sender.messageMaxBytes();
        Mapping mapping = new Mapping();
        List<byte[]> message = new ArrayList<>(spans.size());
        int size = 0; // the message's size as sent: the spans' bytes, plus a JSON list's brackets and commas
        for (SpanData s : spans) {
            byte[] encoded = encoder.encode(mapping.toZipkin(s));
            int more = encoded.length + (json ? 1 : 0);
            if (!message.isEmpty() && size + more + (json ? 1 : 0) > max) {
                sender.send(message);
                message = new ArrayList<>(spans.size());
                size = 0;
            }
            message.add(encoded);
            size += more;
        }
        if (!message.isEmpty()) {
            sender.send(message);
        }
    }

    /** The mapping to a Zipkin v2 span, with the last resource's endpoint kept (an export has one) and one builder. One thread's. */
    private static final class Mapping {
        private final Span.Builder b = Span.newBuilder();
        private Resource resource;
        private Endpoint endpoint;

        Span toZipkin(SpanData s) {
            b.clear();
            // the ids as numbers: the builder would otherwise check and lower-case the hex strings again
            String trace = s.getTraceId();
            b.traceId(Long.parseUnsignedLong(trace, 0, 16, 16), Long.parseUnsignedLong(trace, 16, 32, 16));
            b.id(Long.parseUnsignedLong(s.getSpanId(), 0, 16, 16)).name(s.getName());
            if (s.getParentSpanContext().isValid()) {
                b.parentId(Long.parseUnsignedLong(s.getParentSpanId(), 0, 16, 16));
            }
            Span.Kind kind = kind(s.getKind());
            if (kind != null) {
                b.kind(kind);
            }
            long start = s.getStartEpochNanos() / 1000;
            b.timestamp(start);
            b.duration(Math.max(1, (s.getEndEpochNanos() - s.getStartEpochNanos() + 500) / 1000));
            b.localEndpoint(endpoint(s.getResource()));
            s.getAttributes().forEach((key, value) -> b.putTag(key.getKey(), tagValue(value)));
            if (s.getStatus().getStatusCode() == StatusCode.ERROR) {
                b.putTag("otel.status_code", "ERROR");
                b.putTag("error", s.getStatus().getDescription());
            } else if (s.getStatus().getStatusCode() == StatusCode.OK) {
                b.putTag("otel.status_code", "OK");
            }
            b.putTag("otel.scope.name", s.getInstrumentationScopeInfo().getName());
            if (s.getInstrumentationScopeInfo().getVersion() != null) {
                b.putTag("otel.scope.version", s.getInstrumentationScopeInfo().getVersion());
            }
            for (EventData e : s.getEvents()) {
                String message = e.getAttributes().get(SpanFactory.MESSAGE);
                b.addAnnotation(e.getEpochNanos() / 1000, message == null ? e.getName() : e.getName() + ": " + message);
            }
            return b.build();
        }

        private Endpoint endpoint(Resource r) {
            if (r != resource) {
                endpoint = Endpoint.newBuilder().serviceName(serviceName(r)).build();
                resource = r;
            }
            return endpoint;
        }
    }

    private static Span.Kind kind(SpanKind kind) {
        switch (kind) {
            case SERVER: return Span.Kind.SERVER;
            case CLIENT: return Span.Kind.CLIENT;
            case PRODUCER: return Span.Kind.PRODUCER;
            case CONSUMER: return Span.Kind.CONSUMER;
            default: return null;
        }
    }

    private static String serviceName(Resource resource) {
        String name = resource.getAttribute(SERVICE_NAME);
        return name == null ? "unknown_service" : name;
    }

    private static String tagValue(Object value) {
        if (value instanceof String) {
            return (String) value;
        }
        if (value instanceof List) {
            StringBuilder joined = new StringBuilder();
            String comma = "";
            for (Object item : (List<?>) value) {
                joined.append(comma).append(item);
                comma = ",";
            }
            return joined.toString();
        }
        return String.valueOf(value);
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        threads.shutdown();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
            sender.close();
        } catch (IOException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return CompletableResultCode.ofSuccess();
    }
}
