package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The view shows an event's call stack on click (real browser; skipped without chromium, as {@link ViewBrowserTest}). */
class ViewStackBrowserTest {
    @TempDir
    Path dir;

    @Test
    void clickingAnEventShowsItsStack() throws Exception {
        assumeTrue(Files.isExecutable(WebDriver.CHROMIUM) && Files.isExecutable(WebDriver.CHROMEDRIVER),
                "chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver");
        Path trace = dir.resolve("wait.trace");
        WhereDidItWait.record(trace);
        Cli json = Cli.run("tasks", trace.toString(), "--type", "checkout", "--json");
        @SuppressWarnings("unchecked")
        long id = ((Number) ((Map<String, Object>) ((List<Object>) MiniJson.parse(json.out())).get(0)).get("id"))
                .longValue();
        Path profile = Files.createDirectory(dir.resolve("chromium-profile"));
        try (ViewServer server = ViewServer.start(trace, 0, null); WebDriver browser = new WebDriver(profile)) {
            browser.open(server.url());
            browser.script("loadTask(" + id + "); return 0");
            browser.await("#events tr.has-stack");
            assertThat(browser.script("return document.querySelector('#events tr.stack').style.display"))
                    .isEqualTo("none");
            browser.script("Array.from(document.querySelectorAll('#events tr.has-stack'))"
                    + ".forEach(r => r.click()); return 0");
            Object shown = browser.script("return Array.from(document.querySelectorAll('#events tr.stack'))"
                    + ".filter(r => r.style.display !== 'none').map(r => r.textContent).join('\\n')");
            assertThat(shown.toString()).contains("at " + WhereDidItWait.class.getName() + ".waitForTheLock(");
        }
    }
}
