package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's waiting paths in headless chromium (skipped without chromium and chromedriver):
 * a window it no longer needs is aborted and the one for the new view drawn; histograms and a
 * timeline whose passes are queued behind another are shown as such (the summary's 503 and
 * the timeline's {@code pending}) and filled in once their passes have run. The server's
 * hooks hold a window or a pass where it starts reading, so nothing here depends on timing.
 */
class ViewPendingBrowserTest {
    @TempDir
    static Path dir;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void record() throws Exception {
        FilterTest.dir = dir;
        FilterTest.record();
    }

    @Test
    void aWindowNoLongerNeededIsAbortedAndTheNewViewsDrawn() throws Exception {
        assumeTrue(Files.isExecutable(WebDriver.CHROMIUM) && Files.isExecutable(WebDriver.CHROMEDRIVER),
                "chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver");
        Path profile = Files.createDirectory(dir.resolve("chromium-profile-abort"));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ViewServer server = ViewServer.start(FilterTest.file, 0, null); WebDriver browser = new WebDriver(profile)) {
            browser.windowSize(1300, 1000);
            browser.open(server.url());
            browser.await("#timeline-canvas[data-complete=true][data-mode=detail]");
            // Count the windows the page gave up on.
            browser.script("window.aborted = 0; window.realGetJson = getJson;"
                    + " getJson = async (url, signal) => { try { return await window.realGetJson(url, signal); }"
                    + " catch (e) { if (e.name === 'AbortError') window.aborted++; throw e; } }; return 0");
            AtomicInteger reads = new AtomicInteger();
            server.data().windowReading = () -> { // the first window from now on waits, as a big read would
                if (reads.incrementAndGet() == 1) {
                    held.countDown();
                    await(release);
                }
            };
            List<?> range = (List<?>) browser.script("return [timelineView.meta.first_ns, timelineView.meta.last_ns]");
            long first = ((Number) range.get(0)).longValue();
            long last = ((Number) range.get(1)).longValue();
            long span = (last - first) / 20;
            // The trace is small: one detail window covers any view of it. Dropped, so the views below need windows.
            browser.script("timelineView.data = null; timelineView.setView(" + first + ", " + (first + span) + "); return 0");
            assertThat(held.await(30, TimeUnit.SECONDS)).as("the first view's window is being read").isTrue();
            // The view moves on while that window is still coming: it is aborted, the new view's asked and drawn.
            long from = last - span;
            browser.script("timelineView.setView(" + from + ", " + last + "); return 0");
            try {
                WebDriver.waitUntil(Duration.ofSeconds(30), () -> Boolean.TRUE.equals(browser.script(
                        "return window.aborted === 1 && timelineView.fits() && timelineView.data.mode === 'detail'")));
            } catch (AssertionError e) {
                throw new AssertionError("after the view moved: " + browser.script("const d = timelineView.data;"
                        + " return JSON.stringify({aborted: window.aborted, view: timelineView.view, from: d && d.from,"
                        + " to: d && d.to, mode: d && d.mode})"), e);
            }
            assertThat(reads.get()).as("windows read").isEqualTo(2);
            // The window drawn is the new view's (the first view's is still held on the server).
            assertThat(((Number) browser.script("return timelineView.data.to")).longValue()).isGreaterThanOrEqualTo(last);
            assertThat(((Number) browser.script("return timelineView.data.from")).longValue())
                    .isLessThanOrEqualTo(from).isGreaterThan(first + span);
        } finally {
            release.countDown();
        }
    }

    @Test
    void histogramsAndATimelineQueuedBehindAnotherPassSaySoThenFillIn() throws Exception {
        assumeTrue(Files.isExecutable(WebDriver.CHROMIUM) && Files.isExecutable(WebDriver.CHROMEDRIVER),
                "chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver");
        Path profile = Files.createDirectory(dir.resolve("chromium-profile-queued"));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ViewServer server = ViewServer.start(FilterTest.file, 0, null); WebDriver browser = new WebDriver(profile)) {
            browser.windowSize(1300, 1000);
            browser.open(server.url());
            browser.await("div.type[data-type=checkout] rect.bar");
            browser.await("#timeline-canvas[data-complete=true][data-mode=detail]");
            // Another filter's pass (as another tab's) holds the passes' thread where it starts reading.
            server.data().passStarting = what -> {
                held.countDown();
                await(release);
            };
            var other = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(server.url() + "api/summary?where=customer")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(held.await(30, TimeUnit.SECONDS)).as("the other pass started").isTrue();
            assertThat(other.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(503);

            browser.type(browser.find("#where").get(0), "region=eu");
            browser.click(browser.find("#apply-where").get(0));
            // The histograms: the summary's 503 says the pass is queued, the page shows it and asks again.
            String types = "return document.getElementById('types').textContent";
            String indexing = "return document.getElementById('indexing').textContent";
            try {
                WebDriver.waitUntil(Duration.ofSeconds(30), () -> String.valueOf(browser.script(types))
                        .startsWith("histograms: queued: the histograms of --where region=eu"));
                // The timeline: its pass queued too, said in the status line, the trace's range shown.
                WebDriver.waitUntil(Duration.ofSeconds(30), () -> String.valueOf(browser.script(indexing))
                        .startsWith("queued: the timeline of --where region=eu"));
            } catch (AssertionError e) {
                throw new AssertionError("types: " + browser.script(types) + "; indexing: " + browser.script(indexing), e);
            }
            assertThat(browser.script("return timelineView.meta.queued")).isEqualTo(true);
            assertThat(((Number) browser.script("return timelineView.meta.last_ns")).longValue()).isPositive();

            server.data().passStarting = what -> { };
            release.countDown();
            // Once the passes have run: the filtered histograms and the filtered timeline.
            WebDriver.waitUntil(Duration.ofSeconds(60), () -> String.valueOf(browser.script(
                    "const s = document.querySelector('div.type[data-type=checkout] .stats'); return s && s.textContent"))
                    .startsWith("2 tasks"));
            List<Long> eu = FilterTest.EU.stream().sorted().toList();
            String shown = "const d = timelineView.data; return !timelineView.meta.complete || d === null"
                    + " || d.mode !== 'detail' ? null"
                    + " : [...new Set(d.items.filter(i => i[3] === 0).map(i => i[4]))].sort((a, b) => a - b)";
            browser.script("timelineView.setView(timelineView.meta.first_ns, timelineView.meta.last_ns); return 0");
            try {
                WebDriver.waitUntil(Duration.ofSeconds(60), () -> eu.equals(browser.script(shown)));
            } catch (AssertionError e) {
                throw new AssertionError("timeline tasks: " + browser.script(shown) + "; indexing: " + browser.script(indexing), e);
            }
            assertThat(String.valueOf(browser.script(indexing))).isEmpty();
        } finally {
            release.countDown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
