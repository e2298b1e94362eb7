package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceWriter;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.TraceModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docs/CLI.md promises that the other tool tests do not reach: exit code 1,
 * {@code --version}, {@code view --port} and {@code demo --serve} run as the real
 * command (a JVM of their own), {@code demo}'s default output file, the progress bar
 * on a terminal, and every documented JSON {@code null}.
 */
class CliContractTest {
    static final long MS = 1_000_000;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void versionPrintsTheNameAndVersion() {
        Cli r = Cli.run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).matches("asynctrace \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void anOutputThatCannotBeWrittenIsExitCode1() throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs /dev/full (Linux) for a full disk");
        Cli r = Cli.run("demo", "-o", full.toString(), "--orders", "1");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("asynctrace: ").doesNotContain("\tat ");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    /** Runs the real command line in a JVM of its own, in {@code workDir}. */
    private static Process cli(Path workDir, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** Reads the process's output on a thread of its own until a line contains {@code marker}; returns that line. */
    private static String awaitLine(Process p, String marker, StringBuffer all) {
        AtomicReference<String> found = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    all.append(line).append('\n');
                    if (line.contains(marker)) {
                        found.compareAndSet(null, line);
                    }
                }
            } catch (IOException e) {
                all.append("(output ended: ").append(e).append(")\n");
            }
        }, "cli-output");
        reader.setDaemon(true);
        reader.start();
        Await.until("a line with \"" + marker + "\" from the command", () -> found.get() != null || !p.isAlive());
        assertThat(found.get()).as("output: %s", all).isNotNull();
        return found.get();
    }

    private static HttpResponse<byte[]> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void viewServesOnThePortItIsGiven() throws Exception {
        Path trace = RuntimeSample.write(dir.resolve("rt.trace"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process p = cli(dir, "view", trace.toString(), "--port", Integer.toString(port));
        try {
            StringBuffer out = new StringBuffer();
            String line = awaitLine(p, "serving ", out);
            assertThat(line).contains("http://127.0.0.1:" + port + "/");
            // 503 while the first pass runs (the server listens before it is over): asked until it is.
            java.util.concurrent.atomic.AtomicReference<HttpResponse<byte[]>> answer = new java.util.concurrent.atomic.AtomicReference<>();
            Await.until("/api/summary other than 503", () -> {
                try {
                    answer.set(get("http://127.0.0.1:" + port + "/api/summary"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return answer.get().statusCode() != 503;
            });
            HttpResponse<byte[]> summary = answer.get();
            assertThat(summary.statusCode()).isEqualTo(200);
            assertThat(MiniJson.object(new String(summary.body(), StandardCharsets.UTF_8))).containsKey("summary");
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void demoServeServesOrdersAndTheLiveTraceEndpoint() throws Exception {
        Process p = cli(dir, "demo", "--serve", "0");
        try {
            StringBuffer out = new StringBuffer();
            String line = awaitLine(p, "serving cappuccinos on ", out);
            String base = line.replaceAll(".*serving cappuccinos on (http://127\\.0\\.0\\.1:\\d+).*", "$1");
            HttpResponse<byte[]> order = get(base + "/order");
            assertThat(order.statusCode()).isEqualTo(200);
            HttpResponse<byte[]> live = get(base + "/debug/asynctrace/trace?seconds=0.2");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(TraceModels.read(live.body()).complete()).isTrue();
            assertThat(p.isAlive()).as("serves until stopped").isTrue();
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void demoWritesCappuccinoTraceByDefault() throws Exception {
        Process p = cli(dir, "demo", "--orders", "2");
        StringBuffer out = new StringBuffer();
        awaitLine(p, "asynctrace view cappuccino.trace", out);
        assertThat(p.waitFor(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS)).as(out.toString()).isTrue();
        assertThat(p.exitValue()).as(out.toString()).isZero();
        assertThat(TraceModels.read(dir.resolve("cappuccino.trace")).complete()).isTrue();
    }

    @Test
    void aProgressBarIsDrawnOnATerminalForFilesOver8MiB() throws Exception {
        Path big = dir.resolve("big.trace");
        try (TraceWriter w = new TraceWriter(Files.newOutputStream(big))) {
            w.onHeader(new TraceHeader(1, 0, 0));
            w.onThread(1, "main");
            String message = "m".repeat(4000);
            for (int i = 0; i < 2500; i++) { // about 10 MB
                w.onLog(i, 1, 0, "bulk", message);
            }
        }
        assertThat(Files.size(big)).isGreaterThan(8L << 20);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), true, "summary", big.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("\r[", "% ", " MiB").doesNotContain("\n");
        assertThat(Cli.run("summary", big.toString()).err()).as("not a terminal: no bar").isEmpty();
        Path small = RuntimeSample.write(dir.resolve("rt.trace"));
        StringWriter smallErr = new StringWriter();
        Main.run(new PrintWriter(new StringWriter()), new PrintWriter(smallErr), true, "summary", small.toString());
        assertThat(smallErr.toString()).as("under 8 MiB: no bar").isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyDocumentedJsonNull() throws Exception {
        Path file = dir.resolve("nulls.trace");
        try (TraceWriter w = new TraceWriter(Files.newOutputStream(file))) {
            w.onHeader(new TraceHeader(1, 0, 0));
            w.onThread(1, "main");
            w.onLog(1 * MS, 1, 0, "outside", "no task");
            w.onLog(2 * MS, 1, 77, "unseen", "task 77 begins later in the file");
            w.onTaskBegin(3 * MS, 1, 77, 0, "late", false);
            w.onTaskEnd(4 * MS, 1, 77, "ok");
            w.onTaskBegin(5 * MS, 1, 10, 0, "neverEnds", false);
            w.onSpanBegin(6 * MS, 1, 20, 0, 10, "open");
            w.onTaskBegin(7 * MS, 1, 30, 0, "forever", false);
            w.onTaskEnd(7 * MS + 100_000_000_000_000L, 1, 30, "ok"); // 28 hours: the open-ended top bucket
        }
        List<Map<String, Object>> logs = MiniJson.list(MiniJson.parse(Cli.run("logs", file.toString(), "--json").out()));
        Map<String, Object> outside = MiniJson.byKey(logs, "category", "outside");
        assertThat(outside).containsEntry("task", null).containsEntry("task_type", null);
        Map<String, Object> unseen = MiniJson.byKey(logs, "category", "unseen");
        assertThat(unseen).containsEntry("task", 77L).containsEntry("task_type", null);

        Cli summary = Cli.run("summary", file.toString(), "--json");
        Map<String, Object> s = MiniJson.object(summary.out());
        assertThat(s).containsEntry("truncated_at", null);
        Map<String, Object> neverEnds = MiniJson.byKey(MiniJson.list(s.get("tasks")), "type", "neverEnds");
        assertThat(neverEnds).containsEntry("count", 1L).containsEntry("complete", 0L)
                .containsEntry("p50_ns", null).containsEntry("p90_ns", null).containsEntry("p99_ns", null)
                .containsEntry("max_ns", null);
        List<Map<String, Object>> bounded = MiniJson.list(
                MiniJson.byKey(MiniJson.list(s.get("tasks")), "type", "late").get("histogram"));
        assertThat(bounded).singleElement().satisfies(b -> assertThat((Long) b.get("max_ns")).isPositive());
        List<Map<String, Object>> top = MiniJson.list(
                MiniJson.byKey(MiniJson.list(s.get("tasks")), "type", "forever").get("histogram"));
        assertThat(top).singleElement().satisfies(b -> assertThat(b).containsEntry("max_ns", null));

        List<Map<String, Object>> tasks = MiniJson.list(MiniJson.parse(
                Cli.run("tasks", file.toString(), "--type", "neverEnds", "--json").out()));
        Map<String, Object> open = tasks.get(0);
        assertThat(open).containsEntry("parent", null).containsEntry("complete", false).containsEntry("outcome", null);
        assertThat(MiniJson.byKey(MiniJson.list(open.get("spans")), "name", "open"))
                .containsEntry("duration_ns", null).containsEntry("end_thread", null);
    }
}
