package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asynctrace.junit5.Traced;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code asynctrace view} in a real browser: Debian's chromium, headless, driven
 * through chromedriver. Skipped when they are not installed
 * ({@code apt-get install -y chromium chromium-driver}). The slowest test of the
 * module: {@code @Traced} writes its trace to
 * {@code target/asynctrace/io.asynctrace.tool.ViewBrowserTest.trace}.
 */
@Traced
class ViewBrowserTest {
    @TempDir
    Path dir;

    @Test
    void histogramsThenInstancesThenATimeline() throws Exception {
        assumeTrue(Files.isExecutable(WebDriver.CHROMIUM) && Files.isExecutable(WebDriver.CHROMEDRIVER),
                "chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver");
        Path file = dir.resolve("b.trace");
        Traces.Sample ids = Traces.sample(file);
        long hopDuration = Tasks.byId(file, ids.hop, null).tasks().get(0).duration;
        Path profile = Files.createDirectory(dir.resolve("chromium-profile"));
        try (ViewServer server = ViewServer.start(file, 0, null); WebDriver browser = new WebDriver(profile)) {
            browser.open(server.url());

            // The summary: one section per task type, each with an SVG histogram.
            browser.await("div.type rect.bar");
            assertThat(browser.script("return Array.from(document.querySelectorAll('div.type h2')).map(e => e.textContent)"))
                    .isEqualTo(List.of("order", "payment"));
            assertThat(browser.find("div.type[data-type=order] svg.histogram")).hasSize(1);
            assertThat(browser.text(browser.find("#meta").get(0))).contains("events", "dropped 0");
            Object barsTotal = browser.script("return Array.from(document.querySelectorAll("
                    + "'div.type[data-type=order] rect.bar')).reduce((n, r) => n + Number(r.dataset.count), 0)");
            assertThat(barsTotal).isEqualTo(3L);

            // Click the bucket that holds the hop task: its instances are listed.
            String bar = "div.type[data-type=order] rect.bar[data-min='" + Latency.lowerBound(Latency.bucket(hopDuration)) + "']";
            browser.click(browser.await(bar).get(0));
            List<String> rows = browser.await("tr.instance[data-id='" + ids.hop + "']");
            assertThat(browser.text(rows.get(0))).contains("#" + ids.hop, "ok", "main-test, worker-1");
            assertThat(browser.text(browser.find("#instances h2").get(0))).startsWith("order tasks from");

            // Click the instance: its timeline, one lane per thread, spans, logs and the wait for a thread.
            browser.click(rows.get(0));
            browser.await("#timeline text.lane");
            assertThat(browser.script("return Array.from(document.querySelectorAll('#timeline text.lane')).map(e => e.textContent)"))
                    .isEqualTo(List.of("main-test", "worker-1"));
            assertThat(browser.find("#timeline rect.span")).hasSize(2); // slowOp, work
            assertThat(browser.find("#timeline rect.wait")).hasSize(1);
            assertThat(browser.find("#timeline rect.job")).hasSize(1);
            assertThat(browser.find("#timeline circle.log")).hasSize(2);
            assertThat(browser.text(browser.find("#task-title").get(0))).contains("task #" + ids.hop + " order", "outcome ok");
            assertThat(browser.text(browser.find("#breakdown").get(0))).contains("running", "queued for a thread", "other");
            assertThat(browser.text(browser.find("#events").get(0))).contains("job #", "worker-1", "span work begins");
        }
    }
}
