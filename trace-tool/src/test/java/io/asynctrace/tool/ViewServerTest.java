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
        awaitIndexed();
    }

    /** Waits until the background pass is done (the page works before, with what is indexed so far). */
    static void awaitIndexed() throws Exception {
        WebDriver.waitUntil(java.time.Duration.ofSeconds(30),
                () -> Boolean.TRUE.equals(MiniJson.object(get("/api/timeline").body()).get("complete")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** @return the answer; a whole-file query still running (503, Retry-After: 0) is asked again, as the page does */
    static HttpResponse<String> get(String path) throws Exception {
        for (;;) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 503 || !r.headers().firstValue("Retry-After").equals(java.util.Optional.of("0"))) {
                return r;
            }
        }
    }

    @Test
    void servesThePage() throws Exception {
        HttpResponse<String> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        // Self-contained: no scripts or styles from elsewhere.
        assertThat(r.body()).contains("src=\"/timeline.js\"", "src=\"/view.js\"").doesNotContain("https://", "http://", "href=");
        HttpResponse<String> js = get("/common.js");
        assertThat(js.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(js.body()).contains("createElementNS").doesNotContain("https://");
        assertThat(get("/view.js").body()).contains("/api/summary");
        assertThat(get("/timeline.js").body()).contains("/api/window");
    }

    @Test
    @SuppressWarnings("unchecked")
    void timelineLanesAndWindows() throws Exception {
        Map<String, Object> t = MiniJson.object(get("/api/timeline").body());
        List<Map<String, Object>> lanes = MiniJson.list(t.get("lanes"));
        assertThat(lanes).extracting(l -> l.get("kind") + ":" + l.get("name"))
                .contains("gc:GC", "heap:heap after GC", "thread:main-test", "thread:worker-1", "type:order", "type:payment");
        long first = (Long) t.get("first_ns");
        long last = (Long) t.get("last_ns");
        assertThat(last).isGreaterThan(first);

        // Zoomed in: every task, span, job and wait of the window, each on its lane.
        Map<String, Object> w = MiniJson.object(get("/api/window?from=" + first + "&to=" + last + "&bins=500").body());
        assertThat(w.get("mode")).isEqualTo("detail");
        List<List<Object>> items = (List<List<Object>>) w.get("items");
        int order = lanes.indexOf(lanes.stream().filter(l -> "order".equals(l.get("name"))).findFirst().orElseThrow());
        int worker = lanes.indexOf(lanes.stream().filter(l -> "worker-1".equals(l.get("name"))).findFirst().orElseThrow());
        assertThat(items.stream().filter(i -> ((Long) i.get(0)).intValue() == order && (Long) i.get(3) == TimelineIndex.TASK)
                .map(i -> i.get(4))).containsExactlyInAnyOrder(ids.fast, ids.hop, ids.timeout, ids.open);
        assertThat(items.stream().filter(i -> ((Long) i.get(0)).intValue() == worker).map(i -> i.get(3)))
                .contains((long) TimelineIndex.JOB, (long) TimelineIndex.SPAN, (long) TimelineIndex.WAIT);
        // The hop task's work span: on the worker's lane, with its name and its task.
        assertThat(items).anySatisfy(i -> assertThat(i).containsExactly((long) worker, i.get(1), i.get(2),
                (long) TimelineIndex.SPAN, ids.hop, i.get(5), "work"));

        // Few bins over a small trace: still read (small reads always are), each bin's busy time with the items.
        Map<String, Object> o = MiniJson.object(get("/api/window?from=0&to=" + last + "&bins=1").body());
        List<List<Object>> values = (List<List<Object>>) o.get("values");
        assertThat(values).anySatisfy(v -> assertThat(v).hasSize(2).first().isEqualTo((long) order));

        // With a filter: the timeline of matching tasks only.
        Map<String, Object> none = MiniJson.object(get("/api/window?from=" + first + "&to=" + last + "&bins=500&where=nosuch").body());
        assertThat((List<Object>) none.get("items")).isEmpty();

        // One task read from the segments of its lifetime: the same as from the whole file.
        Map<String, Object> whole = MiniJson.object(get("/api/task?id=" + ids.hop).body());
        long start = (Long) whole.get("start_ns");
        Map<String, Object> part = MiniJson.object(get("/api/task?id=" + ids.hop + "&from=" + start + "&to="
                + (start + (Long) whole.get("duration_ns"))).body());
        assertThat(part).isEqualTo(whole);
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

    /** {@code where} splits on spaces (the filter box); {@code term} is taken whole: a group-by row's value with spaces. */
    @Test
    void termsAreTakenWhole() {
        TaskFilter f = ViewServer.filter(List.of("a=1 b!=2"), List.of("city=New York", "!zone"), null, null);
        assertThat(f.toString()).isEqualTo("--where a=1 --where b!=2 --where city=New York --where !zone");
        Attributes attrs = new Attributes();
        attrs.put("a", "1", 1);
        attrs.put("city", "New York", 1);
        assertThat(f.matches(attrs)).isTrue();
    }

    @Test
    void errors() throws Exception {
        assertThat(get("/api/task?id=999999999").statusCode()).isEqualTo(404);
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/api/tasks?min=abc").statusCode()).isEqualTo(400);
        HttpResponse<String> badWhere = get("/api/window?from=0&to=10&where=%3Dx");
        assertThat(badWhere.statusCode()).isEqualTo(400);
        assertThat(badWhere.body()).contains("--where =x: the attribute key is empty");
        // A window needs 0 <= from < to (review 17b R5: from + 1 and to - from overflowed unchecked).
        for (String bad : List.of("from=-1&to=10", "from=10&to=10", "from=10&to=5",
                "from=" + Long.MAX_VALUE + "&to=" + Long.MIN_VALUE, "from=0&to=-1")) {
            HttpResponse<String> r = get("/api/window?" + bad + "&bins=10");
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).as(bad).startsWith("a window needs 0 <= from < to, was from=");
        }
        assertThat(get("/api/window?from=0&to=" + Long.MAX_VALUE + "&bins=10").statusCode()).isEqualTo(200);
        assertThat(server.answer("GET", "/", "evil.example:80").status()).isEqualTo(403);
        assertThat(server.answer("POST", "/", "localhost:1").status()).isEqualTo(405);
        assertThat(ViewServer.isLoopbackHost("[::1]:8080")).isTrue();
        assertThat(ViewServer.isLoopbackHost("127.0.0.1.evil.com")).isFalse();
    }
}
