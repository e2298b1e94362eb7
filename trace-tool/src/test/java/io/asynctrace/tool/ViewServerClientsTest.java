package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view on the JDK's HTTP server, as its clients see it (from review 17b): clients that stall
 * mid-request do not hold the page up, and HEAD says how long the GET is.
 */
class ViewServerClientsTest {
    @TempDir
    static Path dir;
    static ViewServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Path file = dir.resolve("v.trace");
        Traces.sample(file);
        server = ViewServer.start(file, 0, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * Clients that open a connection and send part of a request (a stalled tab, a port scanner)
     * each hold the thread reading it; they must not hold the query threads, or every other
     * request, the page included, hangs (it did with the two query threads as the server's executor).
     */
    @Test
    void clientsStalledMidRequestDoNotBlockThePageOrTheQueries() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                OutputStream out = s.getOutputStream();
                out.write("GET /api/timeline HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stalled.add(s);
            }
            // Each stalled request holds the thread reading it; the page is answered within the timeout.
            assertThat(get("").statusCode()).isEqualTo(200);
            assertThat(get("api/options").statusCode()).isEqualTo(200);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /**
     * Clients that ask for a big answer and do not read it (review 17b R2) each held an HTTP
     * thread for good, blocked writing once the socket's buffers were full: with as many of them
     * as threads, nothing was answered any more, the page included (before the write timeout:
     * the page's request below timed out). Past the write timeout their connections are closed,
     * their answers cut.
     */
    @Test
    void clientsThatDoNotReadTheirAnswersDoNotHoldTheThreads() throws Exception {
        Path file = dir.resolve("big-task.trace");
        long id;
        try (OutputStream out = java.nio.file.Files.newOutputStream(file)) {
            io.asynctrace.Trace.start(out);
            try (io.asynctrace.Task big = io.asynctrace.Trace.newTask("big"); io.asynctrace.Scope sc = big.makeCurrent()) {
                id = big.id();
                String message = "x".repeat(100);
                for (int i = 0; i < 40_000; i++) {
                    io.asynctrace.Trace.log("line", message);
                }
            } finally {
                io.asynctrace.Trace.stop();
            }
        }
        try (ViewServer view = ViewServer.start(file, 0, null)) {
            WebDriver.waitUntil(Duration.ofSeconds(30), view.data()::ready);
            long last = (Long) MiniJson.object(HTTP.send(HttpRequest.newBuilder(URI.create(view.url() + "api/timeline")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("last_ns");
            String task = "/api/task?id=" + id + "&from=0&to=" + last;
            int length = HTTP.send(HttpRequest.newBuilder(URI.create(view.url() + task.substring(1))).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body().length;
            // More than the kernel keeps for a client that does not read (its receive buffer is small,
            // the server's send buffer at most net.ipv4.tcp_wmem's 4 MiB): the write blocks.
            assertThat(length).as("the task's answer, bytes").isGreaterThan(8 << 20);
            view.writes.timeoutNanos = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < ViewServer.HTTP_THREADS; i++) {
                    Socket s = new Socket();
                    s.setReceiveBufferSize(16 * 1024);
                    s.connect(new InetSocketAddress("127.0.0.1", view.port()), 5000);
                    s.getOutputStream().write(("GET " + task + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    stalled.add(s);
                }
                // Every HTTP thread is writing to a client that does not read, or will be: the page still comes.
                HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(view.url()))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                WebDriver.waitUntil(Duration.ofSeconds(60), () -> view.writes.cut() == ViewServer.HTTP_THREADS);
                for (Socket s : stalled) {
                    s.setSoTimeout(10_000);
                    assertThat(readAll(s.getInputStream())).as("bytes a stalled client got").isLessThan(length);
                }
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    /** @return how many bytes come until the end of the stream or a reset */
    private static long readAll(InputStream in) throws java.io.IOException {
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try {
            for (int r; (r = in.read(buf)) >= 0; ) {
                n += r;
            }
        } catch (java.net.SocketException e) {
            // reset: the server closed the connection with data unread
        }
        return n;
    }

    /** HEAD says how long the GET would be (Content-Length of the body), as the Netty server did. */
    @Test
    void headHasTheContentLengthOfTheGet() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            int length = HTTP.send(HttpRequest.newBuilder(URI.create(server.url())).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body().length;
            assertThat(head).startsWith("http/1.1 200").contains("content-length: " + length);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
