package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** asynctrace demo: records the cappuccino workload, prints its summary and what to try next. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void recordsTheCappuccinoAndSummarisesIt() {
        Path out = dir.resolve("demo.trace");
        Cli r = Cli.run("demo", "-o", out.toString(), "--orders", "12");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out, "makeCappuccino", "steamMilk", "extractCoffee", "mixMilkCoffee",
                "orderID", "asynctrace view " + out);
        Map<String, Object> s = MiniJson.object(Cli.run("summary", out.toString(), "--json").out());
        assertThat(MiniJson.byKey(MiniJson.list(s.get("tasks")), "type", "makeCappuccino").get("count"))
                .isEqualTo(24L);
        assertThat(s.get("complete")).isEqualTo(true);
    }
}
