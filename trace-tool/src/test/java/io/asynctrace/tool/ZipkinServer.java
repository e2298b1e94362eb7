package io.asynctrace.tool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real Zipkin server (io.zipkin:zipkin-server, exec jar, copied into target/zipkin by
 * the build) in a child JVM, on loopback, with in-memory storage. One per test class.
 */
final class ZipkinServer implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ZipkinServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a server and waits, with a deadline, until {@code /health} answers. */
    static ZipkinServer start(Path dir) throws Exception {
        String jar = System.getProperty("zipkin.jar", "target/zipkin/zipkin-server-exec.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new AssertionError("no Zipkin server at " + jar + ": the build copies it there (mvn generate-test-resources)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = dir.resolve("zipkin-" + port + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar,
                "--armeria.ports[0].ip=127.0.0.1", "--armeria.ports[0].port=" + port,
                "--armeria.ports[0].protocols=http", "--logging.level.root=WARN")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ZipkinServer server = new ZipkinServer(p, port, log);
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new AssertionError("Zipkin exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (server.get("/health").statusCode() == 200) {
                    return server;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                server.close();
                throw new AssertionError("Zipkin did not answer /health within " + START_DEADLINE + ":\n"
                        + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    String spansUrl() {
        return "http://127.0.0.1:" + port + "/api/v2/spans";
    }

    /**
     * @return every span of the service's traces, once Zipkin holds at least {@code expected} of
     *         them (it stores asynchronously); fails after a deadline
     */
    List<Map<String, Object>> spans(String service, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<Map<String, Object>> spans = new ArrayList<>();
            for (Object trace : traces(service)) {
                for (Object span : (List<?>) trace) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> s = (Map<String, Object>) span;
                    spans.add(s);
                }
            }
            if (spans.size() >= expected || System.nanoTime() > deadline) {
                return spans;
            }
            Thread.sleep(100);
        }
    }

    /** @return the traces of the service: {@code GET /api/v2/traces?serviceName=...} */
    List<Object> traces(String service) throws Exception {
        HttpResponse<String> r = get("/api/v2/traces?limit=100000&lookback=604800000&serviceName="
                + URLEncoder.encode(service, StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new AssertionError("Zipkin answered " + r.statusCode() + ": " + r.body());
        }
        return MiniJson.array(r.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public String toString() {
        return "Zipkin on 127.0.0.1:" + port + " (log " + log + ")";
    }
}
