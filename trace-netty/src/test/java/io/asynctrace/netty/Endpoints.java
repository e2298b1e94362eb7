package io.asynctrace.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Trace;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.TraceModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleFunction;
import java.util.function.Predicate;

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

    /** Waits (bounded) until tracing is on, or off, as the endpoint turns it on and off asynchronously to the caller. */
    static void awaitTracing(boolean on) {
        Await.until("tracing " + (on ? "on" : "off"), () -> Trace.isEnabled() == on);
    }

    /**
     * After each test: an endpoint recording the test left running ends on its timer
     * (its window is short); then {@code NoLeftovers} checks nothing is left.
     */
    static void stopLeftovers() {
        awaitTracing(false);
    }

    static TraceModel model(byte[] trace) {
        return TraceModels.read(trace);
    }

    /**
     * Records a trace through the endpoint at {@code port} while {@code work} runs, and
     * returns the response: {@link #traceWhile(DoubleFunction, Runnable, Predicate)} with the JDK client,
     * until every task in the trace has ended.
     */
    static HttpResponse<byte[]> traceWhile(int port, Runnable work) {
        return traceWhile(seconds -> getAsync(port, TraceEndpoint.PATH + "?seconds=" + seconds), work,
                res -> everyTaskEnded(res.body()));
    }

    /** Whether every task in {@code trace} has ended in it (a server's task ends just after its response). */
    static boolean everyTaskEnded(byte[] trace) {
        return model(trace).tasks().stream().allMatch(TaskInfo::hasEnd);
    }

    /**
     * Fetches a trace with {@code fetch} (given the window in seconds) while {@code work}
     * runs, and returns what it fetched. The window starts at 0.5 s; if it closed before
     * the work was over (a loaded machine) or before {@code whole} holds of what was
     * fetched, the work runs again in a window four times as long, up to 8 s: the trace
     * returned holds all of one run of the work.
     */
    static <T> T traceWhile(DoubleFunction<CompletableFuture<T>> fetch, Runnable work, Predicate<T> whole) {
        for (double seconds = 0.5; ; seconds *= 4) {
            CompletableFuture<T> pending = fetch.apply(seconds);
            awaitTracing(true);
            work.run();
            boolean inside = Trace.isEnabled();
            T res = Await.value("the trace of a " + seconds + " s window", pending);
            awaitTracing(false);
            if (inside && whole.test(res)) {
                return res;
            }
            if (seconds >= 8) {
                throw new AssertionError("the work outlasted an 8 s recording window");
            }
        }
    }
}
