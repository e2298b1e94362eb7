package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view's whole-file passes for other filters and groupings (review 17b D2, R4): they run
 * one at a time off the request threads, so long ones never hold up the page's timeline and
 * windows, and one dropped from the cache stops. A pass is made "long" by the test's hook,
 * which blocks it where it starts reading.
 */
class ViewPassesTest {
    @TempDir
    static Path dir;
    static Path file;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void record() throws Exception {
        file = dir.resolve("many.trace");
        Traces.many(file, 4000, 10);
    }

    /**
     * Two filtered summaries whose passes take long (minutes on a 1 GiB trace) held both query
     * threads, and the timeline and every window waited behind them (review 17b D2, on 14e0939:
     * the timeline request below timed out).
     */
    @Test
    void longFilteredSummariesDoNotHoldUpTheTimelineOrTheWindows() throws Exception {
        ViewServer server = ViewServer.start(file, 0, null);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            WebDriver.waitUntil(Duration.ofSeconds(30), server.data()::ready);
            server.data().passStarting = what -> {
                started.countDown();
                await(release);
            };
            var first = HTTP.sendAsync(request(server, "api/summary?where=a%3D1"), HttpResponse.BodyHandlers.ofString());
            var second = HTTP.sendAsync(request(server, "api/summary?where=b%3D2"), HttpResponse.BodyHandlers.ofString());
            assertThat(started.await(30, TimeUnit.SECONDS)).as("a summary pass started").isTrue();

            HttpResponse<String> timeline = HTTP.send(request(server, "api/timeline"), HttpResponse.BodyHandlers.ofString());
            assertThat(timeline.statusCode()).isEqualTo(200);
            Map<String, Object> t = MiniJson.object(timeline.body());
            long last = (Long) t.get("last_ns");
            HttpResponse<String> window = HTTP.send(request(server, "api/window?from=0&to=" + last + "&bins=100"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(window.statusCode()).isEqualTo(200);
            assertThat(HTTP.send(request(server, ""), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            // The summaries are answered at once: where their passes stand.
            HttpResponse<String> a = first.get(10, TimeUnit.SECONDS);
            HttpResponse<String> b = second.get(10, TimeUnit.SECONDS);
            assertThat(List.of(a.statusCode(), b.statusCode())).containsOnly(503);
            String now = get(server, "api/summary?where=a%3D1").body() + get(server, "api/summary?where=b%3D2").body();
            assertThat(now).contains("reading " + file + " for the histograms of --where")
                    .contains("(1 pass to go first, one at a time)");

            // Another filter's timeline is queued too, and says so; its windows are answered (empty).
            Map<String, Object> queued = MiniJson.object(HTTP.send(request(server, "api/timeline?where=c%3D3"),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(queued.get("queued")).isEqualTo(true);
            assertThat((String) queued.get("pending")).startsWith("queued: the timeline of --where c=3");
            assertThat((Long) queued.get("last_ns")).as("the time range known from the first pass").isEqualTo(last);
            assertThat(HTTP.send(request(server, "api/window?from=0&to=" + last + "&bins=100&where=c%3D3"),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            release.countDown();
            WebDriver.waitUntil(Duration.ofSeconds(60), () -> get(server, "api/summary?where=a%3D1").statusCode() == 200
                    && get(server, "api/summary?where=b%3D2").statusCode() == 200);
            WebDriver.waitUntil(Duration.ofSeconds(60), () -> Boolean.TRUE.equals(
                    MiniJson.object(get(server, "api/timeline?where=c%3D3").body()).get("complete")));
        } finally {
            release.countDown();
            server.close();
        }
    }

    /** Whole-file queries run one at a time: a second one is told so at once, and windows go on meanwhile. */
    @Test
    void aSecondWholeFileQueryIsAnsweredBusyAndWindowsGoOn() throws Exception {
        ViewServer server = ViewServer.start(file, 0, null);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            WebDriver.waitUntil(Duration.ofSeconds(30), server.data()::ready);
            server.wholeFile.starting = key -> {
                started.countDown();
                await(release);
            };
            var running = HTTP.sendAsync(request(server, "api/tasks?type=odd"), HttpResponse.BodyHandlers.ofString());
            assertThat(started.await(30, TimeUnit.SECONDS)).as("the first query started").isTrue();
            try {
                HttpResponse<String> busy = get(server, "api/tasks?type=even");
                assertThat(busy.statusCode()).isEqualTo(503);
                assertThat(busy.body()).startsWith("busy: another query that reads the whole file");
                assertThat(busy.headers().firstValue("Retry-After")).isEmpty();
                assertThat(get(server, "api/task?id=1").statusCode()).isEqualTo(503);
                assertThat(get(server, "api/window?from=0&to=1000000&bins=10").statusCode()).isEqualTo(200);
                // The running one's own request is told to ask again at once (it waited 2 s for its answer).
                HttpResponse<String> first = running.get(30, TimeUnit.SECONDS);
                assertThat(first.statusCode()).isEqualTo(503);
                assertThat(first.headers().firstValue("Retry-After")).hasValue("0");
                assertThat(first.body()).startsWith("reading ");
            } finally {
                server.wholeFile.starting = key -> { };
                release.countDown();
            }
            assertThat(answered(server, "api/tasks?type=even&limit=3").statusCode()).isEqualTo(200);
        } finally {
            server.close();
        }
    }

    /**
     * A whole-file query whose client went away (or moved on to another bucket) is stopped once
     * nobody asks for it, and the next one runs (review 56 R1: it held the one permit to its end,
     * minutes on a big trace, and every other such query was answered busy meanwhile).
     */
    @Test
    void aWholeFileQueryNobodyAsksForAnyMoreStops() throws Exception {
        ViewServer server = ViewServer.start(file, 0, null);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            WebDriver.waitUntil(Duration.ofSeconds(30), server.data()::ready);
            server.wholeFile.waitNanos = TimeUnit.MILLISECONDS.toNanos(200);
            server.wholeFile.keepNanos = 0; // stops at its first segment once nobody waits
            server.wholeFile.starting = key -> {
                started.countDown();
                await(release);
            };
            HttpResponse<String> left = get(server, "api/tasks?type=odd"); // and never asked again
            assertThat(left.statusCode()).isEqualTo(503);
            assertThat(left.headers().firstValue("Retry-After")).hasValue("0");
            assertThat(started.getCount()).isZero();
            server.wholeFile.starting = key -> { };
            release.countDown();
            WebDriver.waitUntil(Duration.ofSeconds(30), () -> server.wholeFile.stopped() == 1);
            server.wholeFile.waitNanos = TimeUnit.SECONDS.toNanos(30);
            HttpResponse<String> next = get(server, "api/tasks?type=even&limit=3");
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(MiniJson.list(MiniJson.parse(next.body()))).hasSize(3);
        } finally {
            release.countDown();
            server.close();
        }
    }

    /**
     * Summaries dropped from the cache (past four) are abandoned: a queued one never starts, the
     * running one, if not asked for lately, stops at its next segment (review 17b R4: they read to the end of the file).
     * The one asked for most recently runs next.
     */
    @Test
    void summariesDroppedFromTheCacheAreAbandoned() throws Exception {
        ViewData data = new ViewData(file, null);
        data.keepRunningIfAskedNanos = 0; // nobody polls k=0 any more
        CountDownLatch release = new CountDownLatch(1);
        List<String> startedPasses = new CopyOnWriteArrayList<>();
        try {
            data.passStarting = what -> {
                startedPasses.add(what);
                if (what.contains("k=0")) {
                    await(release);
                }
            };
            assertThat(data.summary(filter("k=0"), null)).isNull();
            WebDriver.waitUntil(Duration.ofSeconds(30), () -> !startedPasses.isEmpty());
            for (int k = 1; k <= 5; k++) {
                assertThat(data.summary(filter("k=" + k), null)).isNull();
            }
            // k=0 and k=1 are out of the cache (four kept): k=1 is no longer queued, k=0 told to stop.
            assertThat(data.summaryPending(filter("k=5"), null)).contains("1 pass to go first");
            assertThat(data.summaryPending(filter("k=2"), null)).contains("4 passes to go first");
            release.countDown();
            WebDriver.waitUntil(Duration.ofSeconds(60), () -> startedPasses.size() == 5);
            WebDriver.waitUntil(Duration.ofSeconds(60), () -> data.summary(filter("k=2"), null) != null);
            assertThat(data.passes().stoppedMidway()).as("k=0 stopped").isEqualTo(1);
            assertThat(startedPasses).containsExactly("the histograms of --where k=0", "the histograms of --where k=5",
                    "the histograms of --where k=4", "the histograms of --where k=3", "the histograms of --where k=2");
            assertThat(data.summary(filter("k=5"), null)).contains("\"summary\"");
        } finally {
            release.countDown();
            data.close();
        }
    }

    /**
     * Five pages polling their own summaries every 500 ms as view.js does, each pass taking a
     * while: each is answered (review 56 D1: past four, every poll evicted and abandoned the
     * running pass, and none ever was).
     */
    @Test
    void fivePagesPollingTheirOwnSummariesEachGetOne() throws Exception {
        ViewData data = new ViewData(file, null);
        try {
            WebDriver.waitUntil(Duration.ofSeconds(30), data::ready);
            CountDownLatch started = new CountDownLatch(1);
            data.passStarting = what -> {
                started.countDown();
                try {
                    Thread.sleep(300); // a long pass (minutes on a 1 GiB trace)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            boolean[] got = new boolean[5];
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end && !allTrue(got)) {
                for (int k = 0; k < got.length; k++) {
                    if (!got[k]) {
                        got[k] = data.summary(filter("k=" + k), null) != null;
                    }
                    Thread.sleep(500 / got.length); // each page asks every 500 ms
                }
            }
            assertThat(got).as("summaries answered (passes stopped midway: %d)", data.passes().stoppedMidway())
                    .containsOnly(true);
        } finally {
            data.close();
        }
    }

    /**
     * A click on a span, job or wait asks /api/task by id alone: while another whole-file query
     * runs it gets 503 busy, and the page asks again until it is answered (review 56 D2: it
     * showed the error for good).
     */
    @Test
    void aTaskAskedWhileAnotherWholeFileQueryRunsIsShownOnceItIsDone() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(WebDriver.CHROMIUM)
                && java.nio.file.Files.isExecutable(WebDriver.CHROMEDRIVER), "chromium and chromedriver are not installed");
        Path profile = java.nio.file.Files.createDirectory(dir.resolve("chromium-profile-task"));
        try (ViewServer server = ViewServer.start(file, 0, null); WebDriver browser = new WebDriver(profile)) {
            browser.open(server.url());
            browser.await("div.type rect.bar");
            // A task of this file (ids count on across the recordings of one JVM).
            long id = (Long) MiniJson.list(MiniJson.parse(answered(server, "api/tasks?type=even&limit=1").body())).get(0).get("id");
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            server.wholeFile.starting = key -> { // as a long /api/tasks (the instances of a bucket)
                started.countDown();
                await(release);
            };
            var running = HTTP.sendAsync(request(server, "api/tasks?type=odd"), HttpResponse.BodyHandlers.ofString());
            try {
                assertThat(started.await(30, TimeUnit.SECONDS)).as("the instances' query started").isTrue();
                browser.script("loadTask(" + id + ").catch(e => { document.getElementById('task').textContent = 'error: '"
                        + " + e.message; }); return 0");
                WebDriver.waitUntil(Duration.ofSeconds(30), () -> String.valueOf(browser.script(
                        "return document.getElementById('task').textContent")).contains("asking again"));
            } finally {
                server.wholeFile.starting = key -> { };
                release.countDown();
            }
            running.join();
            try {
                WebDriver.waitUntil(Duration.ofSeconds(30), () -> !browser.find("#task-title").isEmpty());
            } catch (AssertionError e) {
                throw new AssertionError("#task shows: " + browser.script("return document.getElementById('task').textContent"), e);
            }
        }
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean x : b) {
            if (!x) {
                return false;
            }
        }
        return true;
    }

    private static TaskFilter filter(String term) {
        return TaskFilter.parse(List.of(term), null, null);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpRequest request(ViewServer server, String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> get(ViewServer server, String path) throws Exception {
        return HTTP.send(request(server, path), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the answer to a whole-file query, asked again (as the page does) while another runs or it still does */
    static HttpResponse<String> answered(ViewServer server, String path) throws Exception {
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> got = new java.util.concurrent.atomic.AtomicReference<>();
        WebDriver.waitUntil(Duration.ofSeconds(60), () -> {
            got.set(get(server, path));
            return got.get().statusCode() != 503;
        });
        return got.get();
    }
}
