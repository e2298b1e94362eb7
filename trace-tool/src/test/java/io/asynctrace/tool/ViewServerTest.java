package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The view's HTTP endpoints, over a real socket. */
class ViewServerTest {
    @TempDir
    static Path dir;
    static Traces.Sample ids;
    static ViewServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path file = dir.resolve("v.trace");
        ids = Traces.sample(file);
        server = ViewServer.start(file, 0, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePage() throws Exception {
        HttpResponse<String> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        // Self-contained: no scripts or styles from elsewhere.
        assertThat(r.body()).contains("createElementNS", "/api/summary").doesNotContain("https://", "src=", "href=");
    }

    @Test
    @SuppressWarnings("unchecked")
    void summaryWithHistograms() throws Exception {
        HttpResponse<String> r = get("/api/summary");
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Object> s = (Map<String, Object>) MiniJson.object(r.body()).get("summary");
        Map<String, Object> order = MiniJson.byKey(MiniJson.list(s.get("tasks")), "type", "order");
        assertThat(MiniJson.list(order.get("histogram"))).isNotEmpty();
    }

    @Test
    void tasksOfABucketAndOneTask() throws Exception {
        List<Map<String, Object>> all = MiniJson.list(MiniJson.parse(get("/api/tasks?type=order&min=0&max=-1").body()));
        assertThat(all).hasSize(3); // only complete tasks, as in the histogram
        assertThat(all.stream().map(t -> t.get("id"))).containsExactlyInAnyOrder(ids.fast, ids.hop, ids.timeout);
        Object slowest = all.get(0).get("id");
        long max = (Long) all.get(0).get("duration_ns");
        assertThat(MiniJson.list(MiniJson.parse(get("/api/tasks?type=order&min=0&max=" + max).body())))
                .hasSize(2).noneMatch(t -> t.get("id").equals(slowest));
        assertThat(MiniJson.list(MiniJson.parse(get("/api/tasks?type=order&limit=1").body()))).hasSize(1);

        Map<String, Object> hop = MiniJson.object(get("/api/task?id=" + ids.hop).body());
        assertThat(hop.get("type")).isEqualTo("order");
        assertThat(MiniJson.list(hop.get("jobs"))).singleElement()
                .satisfies(j -> assertThat(j.get("thread")).isEqualTo("worker-1"));
    }

    @Test
    void errors() throws Exception {
        assertThat(get("/api/task?id=999999999").statusCode()).isEqualTo(404);
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/api/tasks?min=abc").statusCode()).isEqualTo(400);
        assertThat(server.answer("GET", "/", "evil.example:80").status().code()).isEqualTo(403);
        assertThat(server.answer("POST", "/", "localhost:1").status().code()).isEqualTo(405);
        assertThat(ViewServer.isLoopbackHost("[::1]:8080")).isTrue();
        assertThat(ViewServer.isLoopbackHost("127.0.0.1.evil.com")).isFalse();
    }
}
