package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Missing, foreign, wrong-version, corrupt and truncated input: one line on stderr, exit code 2. */
class BadInputTest {
    @TempDir
    static Path dir;
    static Path good;

    @BeforeAll
    static void record() throws Exception {
        good = dir.resolve("good.trace");
        Traces.many(good, 3000, 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"summary", "tasks", "logs", "view"})
    void missingFile(String command) {
        Path missing = dir.resolve("missing.trace");
        Cli.assertOneLine(Cli.run(command, missing.toString()), "asynctrace: " + missing + ": no such file");
    }

    @Test
    void directory() {
        Cli.assertOneLine(Cli.run("summary", dir.toString()), "is a directory");
    }

    @Test
    void notATrace() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, this is not a trace\n");
        Cli.assertOneLine(Cli.run("summary", text.toString()), "not an asynctrace trace (bad magic) at byte offset 0");
        Path empty = dir.resolve("empty.trace");
        Files.write(empty, new byte[0]);
        Cli.assertOneLine(Cli.run("tasks", empty.toString()), "not an asynctrace trace: the file ends inside the header");
    }

    @Test
    void wrongVersion() throws Exception {
        byte[] bytes = Files.readAllBytes(good);
        bytes[8] = 0;
        bytes[9] = 99;
        Path v99 = dir.resolve("v99.trace");
        Files.write(v99, bytes);
        Cli.assertOneLine(Cli.run("summary", v99.toString(), "--json"), "trace format version 99 is not supported");
    }

    @Test
    void corruptSegment() throws Exception {
        byte[] bytes = Files.readAllBytes(good);
        bytes[100] ^= 0x55;
        Path bad = dir.resolve("bad.trace");
        Files.write(bad, bytes);
        Cli.assertOneLine(Cli.run("logs", bad.toString()), "corrupt trace: segment checksum mismatch at byte offset");
    }

    @Test
    void truncatedPrintsThePartialResultWithAWarning() throws Exception {
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.trace");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        Cli r = Cli.run("summary", cut.toString(), "--json");
        Cli.assertOneLine(r, "asynctrace: warning: " + cut + " is truncated at byte offset");
        Map<String, Object> s = MiniJson.object(r.out());
        assertThat(s.get("truncated")).isEqualTo(true);
        assertThat((Long) s.get("events")).isPositive();
        assertThat((Long) s.get("truncated_at")).isPositive().isLessThan(bytes.length);

        Cli tasks = Cli.run("tasks", cut.toString(), "--slowest", "3", "--json");
        assertThat(tasks.code()).isEqualTo(2);
        assertThat(MiniJson.array(tasks.out())).hasSize(3);
        Cli export = Cli.run("export", cut.toString(), "--format", "perfetto", "-o", dir.resolve("cut.json").toString());
        assertThat(export.code()).isEqualTo(2);
        assertThat(MiniJson.object(Files.readString(dir.resolve("cut.json")))).containsKey("traceEvents");
    }

    @Test
    void exportOfBadInputLeavesNoOutput() throws Exception {
        Path text = dir.resolve("notes2.txt");
        Files.writeString(text, "not a trace");
        Path out = dir.resolve("never.json");
        Cli.assertOneLine(Cli.run("export", text.toString(), "--format", "perfetto", "-o", out.toString()), "bad magic");
        assertThat(out).doesNotExist();
    }
}
