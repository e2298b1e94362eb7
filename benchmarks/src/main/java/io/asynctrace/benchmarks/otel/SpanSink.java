package io.asynctrace.benchmarks.otel;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A receiver that accepts every POST and discards its body: the fastest sink an exporter
 * can send to, to tell the exporter's own rate from its backend's. Loopback only; answers
 * 202 as Zipkin does (200 for OTLP's {@code /v1/traces}, as the OTLP/HTTP spec says).
 * {@code GET /stats} returns {@code requests bytes}.
 *
 * <pre>
 * java -cp benchmarks.jar io.asynctrace.benchmarks.otel.SpanSink PORT
 * </pre>
 */
public final class SpanSink {
    private SpanSink() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        AtomicLong requests = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                if (exchange.getRequestMethod().equals("GET")) {
                    byte[] answer = (requests.get() + " " + bytes.get() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer);
                } else {
                    byte[] buffer = new byte[64 << 10];
                    long n = 0;
                    for (int r; (r = in.read(buffer)) > 0; ) {
                        n += r;
                    }
                    bytes.addAndGet(n);
                    requests.incrementAndGet();
                    boolean otlp = exchange.getRequestURI().getPath().endsWith("/v1/traces");
                    if (otlp) {
                        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                    }
                    exchange.sendResponseHeaders(otlp ? 200 : 202, -1);
                }
            } finally {
                exchange.close();
            }
        });
        server.start();
        System.out.println("sink listening on 127.0.0.1:" + port);
    }
}
