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

    @Test
    void fromAndToNarrowTheSummaryItPrints() {
        Path out = dir.resolve("late.trace");
        // An hour in, the recording is long over: the summary has no task or span rows.
        Cli r = Cli.run("demo", "-o", out.toString(), "--orders", "3", "--from", "1h");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out).doesNotContain("steamMilk");
        Cli all = Cli.run("demo", "-o", dir.resolve("all.trace").toString(), "--orders", "3", "--from", "0", "--to", "1h");
        assertThat(all.out()).contains("steamMilk");

        Cli serve = Cli.run("demo", "--serve", "0", "--to", "1s");
        assertThat(serve.code()).isEqualTo(2);
        Cli.assertOneLine(serve, "asynctrace: --where, --from and --to narrow the summary of a recorded demo; "
                + "--serve prints none (filter the live trace you download instead)");
        Cli bad = Cli.run("demo", "-o", dir.resolve("never.trace").toString(), "--from", "soon");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("asynctrace: --from soon: not a time");
        assertThat(dir.resolve("never.trace")).doesNotExist();
    }
}
