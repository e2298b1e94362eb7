package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Makes the README's screenshot ({@code docs/view.png}) from the real view in headless
 * chromium: the cappuccino demo's timeline zoomed in on about 650 ms, a histogram bucket's
 * instances and one task. Runs only when asked, with the path to write:
 * {@code mvn -pl trace-tool -am test -Dtest=ViewScreenshotTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dasynctrace.screenshot=$PWD/docs/view.png}.
 */
class ViewScreenshotTest {
    @TempDir
    Path dir;

    @Test
    @EnabledIfSystemProperty(named = "asynctrace.screenshot", matches = ".+")
    void writesTheReadmeScreenshot() throws Exception {
        Path trace = Path.of("cappuccino.trace"); // the page shows the path as given: a short one, removed after
        Cli demo = Cli.run("demo", "-o", trace.toString(), "--orders", "40");
        assertThat(demo.code()).as(demo.err()).isZero();
        Path profile = Files.createDirectory(dir.resolve("chromium-profile"));
        try (ViewServer server = ViewServer.start(trace, 0, null); WebDriver browser = new WebDriver(profile)) {
            browser.windowSize(1300, 1150);
            browser.open(server.url());
            browser.await("#timeline-canvas[data-mode=detail]");
            WebDriver.waitUntil(Duration.ofSeconds(30), () -> Boolean.TRUE.equals(
                    browser.script("return timelineView.meta !== null && timelineView.meta.complete")));
            // About 650 ms from the first order's start, the detail drawn for that view.
            browser.script("window.firstOrder = null; getJson('/api/tasks?type=makeCappuccino&limit=1000')"
                    + ".then(ts => { window.firstOrder = Math.min(...ts.map(t => t.start_ns)); })");
            WebDriver.waitUntil(Duration.ofSeconds(30), () -> browser.script("return window.firstOrder") != null);
            browser.script("timelineView.setView(window.firstOrder - 20e6, window.firstOrder + 630e6);");
            WebDriver.waitUntil(Duration.ofSeconds(30), () -> Boolean.TRUE.equals(browser.script(
                    "return timelineView.data !== null && timelineView.data.mode === 'detail' && timelineView.fits()"
                    + " && !timelineView.inFlight")));
            browser.click(browser.await("div.type[data-type=makeCappuccino] rect.bar").get(0));
            browser.click(browser.await("tr.instance").get(0));
            browser.await("#task-title");
            browser.script("window.scrollTo(0, 0)");
            byte[] png = browser.screenshot();
            assertThat(png).hasSizeGreaterThan(10_000);
            Files.write(Path.of(System.getProperty("asynctrace.screenshot")), png);
        } finally {
            Files.deleteIfExists(trace);
        }
    }
}
