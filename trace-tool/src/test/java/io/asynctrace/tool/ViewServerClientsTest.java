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
