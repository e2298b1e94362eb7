package io.asynctrace.benchmarks.otel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import zipkin2.Span;
import zipkin2.codec.SpanBytesDecoder;
import zipkin2.codec.SpanBytesEncoder;

/**
 * How many spans per second a Zipkin server ingests, without our exporter: posts batches
 * encoded once, up front, from a few client threads, for a bounded time, to loopback only.
 *
 * <p>The spans are copies of a template (a JSON v2 list, such as Zipkin's own answer to
 * {@code /api/v2/traces} after one export, so they carry the tags an export sends) with fresh
 * trace and span ids, so the server stores each one.
 *
 * <pre>
 * java -cp benchmarks.jar io.asynctrace.benchmarks.otel.ZipkinCeiling URL TEMPLATE.json json|proto3 gzip|plain SPANS_PER_BATCH THREADS SECONDS
 * </pre>
 */
public final class ZipkinCeiling {
    private ZipkinCeiling() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: ZipkinCeiling URL TEMPLATE.json json|proto3 gzip|plain SPANS_PER_BATCH THREADS SECONDS");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
            throw new IllegalArgumentException("loopback only: " + url);
        }
        List<Span> template = templateSpans(Path.of(args[1]));
        boolean proto = args[2].equals("proto3");
        boolean gzip = args[3].equals("gzip");
        int perBatch = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        long nanos = Long.parseLong(args[6]) * 1_000_000_000L;
        int distinct = 64;
        byte[][] bodies = new byte[distinct][];
        SplittableRandom random = new SplittableRandom(42);
        long bytes = 0;
        for (int b = 0; b < distinct; b++) {
            List<Span> batch = new ArrayList<>(perBatch);
            while (batch.size() < perBatch) {
                String trace = hex(random.nextLong()) + hex(random.nextLong());
                for (Span s : template) {
                    if (batch.size() == perBatch) {
                        break;
                    }
                    batch.add(s.toBuilder().traceId(trace).id(hex(random.nextLong())).build());
                }
            }
            byte[] body = proto ? SpanBytesEncoder.PROTO3.encodeList(batch) : SpanBytesEncoder.JSON_V2.encodeList(batch);
            bodies[b] = gzip ? gzip(body) : body;
            bytes += bodies[b].length;
        }
        System.out.printf("%d distinct batches of %d spans, %s%s, %d bytes per batch on average%n", distinct, perBatch,
                proto ? "proto3" : "json", gzip ? "+gzip" : "", bytes / distinct);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong spans = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + nanos;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread w = new Thread(() -> {
                int i = first;
                while (System.nanoTime() < deadline) {
                    HttpRequest.Builder r = HttpRequest.newBuilder(url)
                            .header("Content-Type", proto ? "application/x-protobuf" : "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[i++ % distinct]));
                    if (gzip) {
                        r.header("Content-Encoding", "gzip");
                    }
                    try {
                        HttpResponse<Void> resp = client.send(r.build(), HttpResponse.BodyHandlers.discarding());
                        if (resp.statusCode() / 100 == 2) {
                            spans.addAndGet(perBatch);
                        } else if (failures.getAndIncrement() == 0) {
                            System.err.println("status " + resp.statusCode());
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d spans accepted in %.1f s by %d threads: %.0f spans/s (%d requests failed)%n", spans.get(),
                seconds, threads, spans.get() / seconds, failures.get());
    }

    private static List<Span> templateSpans(Path file) throws IOException {
        byte[] json = Files.readAllBytes(file);
        List<Span> spans = new ArrayList<>();
        String text = new String(json, java.nio.charset.StandardCharsets.UTF_8).trim();
        if (text.startsWith("[[")) { // the answer of /api/v2/traces: a list of traces
            for (String trace : text.substring(1, text.length() - 1).split("(?<=\\]),(?=\\[)")) {
                SpanBytesDecoder.JSON_V2.decodeList(trace.getBytes(java.nio.charset.StandardCharsets.UTF_8), spans);
            }
        } else {
            SpanBytesDecoder.JSON_V2.decodeList(json, spans);
        }
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("no span in " + file);
        }
        return spans;
    }

    private static String hex(long v) {
        return String.format("%016x", v == 0 ? 1 : v);
    }

    private static byte[] gzip(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(body);
        }
        return out.toByteArray();
    }
}
