package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view's runtime events in a real browser (skipped without chromium and
 * chromedriver, as {@link ViewBrowserTest}): the GC and heap overview, and a task's
 * park/socket slices in its thread lane with the GC pause as a band, on {@link RuntimeSample}.
 */
class ViewRuntimeBrowserTest {
    @TempDir
    Path dir;

    @Test
    void gcOverviewAndRuntimeSlicesInTheTimeline() throws Exception {
        assumeTrue(Files.isExecutable(WebDriver.CHROMIUM) && Files.isExecutable(WebDriver.CHROMEDRIVER),
                "chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver");
        Path trace = RuntimeSample.write(dir.resolve("rt.trace"));
        Path profile = Files.createDirectory(dir.resolve("chromium-profile"));
        try (ViewServer server = ViewServer.start(trace, 0, null); WebDriver browser = new WebDriver(profile)) {
            browser.open(server.url());
            List<String> stats = browser.await("#gc-stats");
            assertThat(browser.text(stats.get(0))).contains("GC pauses: 2", "total 4.00ms", "heap after GC: 30.0 MiB – 50.0 MiB");
            assertThat(browser.find("#heap polyline.heap")).hasSize(1);
            assertThat(browser.text(browser.find("#runtime").get(0))).contains("Runtime events lost: 1 reports");

            browser.script("loadTask(100); return 0");
            browser.await("#timeline rect.socket");
            assertThat(browser.find("#timeline rect.block")).hasSize(1);
            assertThat(browser.find("#timeline rect.gc")).hasSize(1);
            assertThat(browser.script("return Array.from(document.querySelectorAll('#timeline text.lane')).map(e => e.textContent)"))
                    .isEqualTo(List.of("worker-7"));
            assertThat(browser.text(browser.find("#breakdown").get(0))).contains("blocked 2.00ms", "socket I/O 500µs",
                    "GC pauses 1.00ms");
            assertThat(browser.text(browser.find("#events").get(0))).contains("park 2.00ms on java.util.concurrent.locks.ReentrantLock");
        }
    }
}
