package io.asynctrace.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Trace;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Test helpers: a JDK client, waiting for the JVM-global recording to start or end, reading traces. */
final class Endpoints {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private Endpoints() {
    }

    static HttpRequest.Builder request(int port, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(20));
    }

    static HttpResponse<byte[]> get(int port, String pathAndQuery) {
        return send(request(port, pathAndQuery).GET().build());
    }

    static HttpResponse<byte[]> send(HttpRequest req) {
        try {
            return CLIENT.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static CompletableFuture<HttpResponse<byte[]>> getAsync(int port, String pathAndQuery) {
        return CLIENT.sendAsync(request(port, pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> res) {
        return new String(res.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Waits (bounded) until tracing is on, as the endpoint turns it on asynchronously to the caller. */
    static void awaitTracing(boolean on) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Trace.isEnabled() != on) {
            assertThat(System.nanoTime()).as("tracing %s within 10 s", on ? "on" : "off").isLessThan(deadline);
            sleep(2);
        }
    }

    /** After each test: no recording may leak into the next one. */
    static void stopLeftovers() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Trace.isEnabled() && System.nanoTime() < deadline) {
            sleep(5); // an endpoint recording stops on its timer
        }
        Trace.stop();
    }

    static TraceModel model(byte[] trace) {
        try {
            return TraceModel.read(new ByteArrayInputStream(trace));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
