package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "other values" row of a group-by with more values than rows (review 17b R6): its
 * bucket's instances are tasks of the folded values only, none of the values with rows of
 * their own (they were tasks of any value). In headless chromium, as {@link ViewBrowserTest}.
 */
class GroupCapBrowserTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void theOtherValuesRowListsTasksOfTheFoldedValuesOnly() throws Exception {
        assumeTrue(Files.isExecutable(WebDriver.CHROMIUM) && Files.isExecutable(WebDriver.CHROMEDRIVER),
                "chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver");
        Path file = dir.resolve("values.trace");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            Trace.start(out);
            try {
                for (int i = 0; i < 300; i++) {
                    try (Task t = Trace.newTask("request"); Scope sc = t.makeCurrent()) {
                        t.attr("customer", "customer " + i); // a value with a space: taken whole
                    }
                }
            } finally {
                Trace.stop();
            }
        }
        Path profile = Files.createDirectory(dir.resolve("chromium-profile"));
        try (ViewServer server = ViewServer.start(file, 0, null); WebDriver browser = new WebDriver(profile)) {
            browser.windowSize(1300, 1000);
            browser.open(server.url());
            browser.await("div.type[data-type=request]");
            browser.click(browser.await("#group-by option[value=customer]").get(0));
            browser.await("div.type[data-group='(other)'] rect.bar");
            List<String> kept = (List<String>) browser.script("return [...document.querySelectorAll('div.type[data-group]')]"
                    + ".map(e => e.getAttribute('data-group')).filter(g => g !== '(other)' && g !== '')");
            assertThat(kept).hasSize(Groups.PER_TYPE);
            // Every bar of the row, its instances checked.
            for (String bar : browser.find("div.type[data-group='(other)'] rect.bar")) {
                browser.script("document.getElementById('instances').textContent = ''; return 0");
                browser.click(bar);
                List<String> rows = browser.await("tr.instance");
                for (String row : rows) {
                    String text = browser.text(row);
                    assertThat(text).contains("customer=customer ");
                    String value = text.substring(text.indexOf("customer=") + "customer=".length()).trim();
                    assertThat(kept).as("a task of a value with a row of its own, under the other values").doesNotContain(value);
                }
            }
        }
    }
}
