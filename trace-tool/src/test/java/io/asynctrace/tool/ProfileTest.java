package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.tool.pprof.ProfileProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code asynctrace profile}: the profiles of {@link WhereDidItWait}, read by {@code go tool pprof} and by protobuf. */
class ProfileTest {
    @TempDir
    static Path dir;
    static Path trace;

    @BeforeAll
    static void record() throws Exception {
        trace = dir.resolve("wait.trace");
        WhereDidItWait.record(trace);
    }

    @Test
    void blockProfileTopFunctionIsTheWaitingMethod() throws Exception {
        Path out = dir.resolve("block.pb.gz");
        Cli r = Cli.run("profile", trace.toString(), "--kind", "block", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("block samples").contains("go tool pprof -top " + out);
        assertThat(topFunction(out)).endsWith("WhereDidItWait.waitForTheLock");
        assertThat(pprofTop(out)).endsWith("WhereDidItWait.waitForTheLock");
    }

    @Test
    void sleepProfileTopFunctionIsTheSleepingMethod() throws Exception {
        Path out = dir.resolve("sleep.pb.gz");
        Cli r = Cli.run("profile", trace.toString(), "--kind", "sleep", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(topFunction(out)).endsWith("WhereDidItWait.napUntilTheOvenIsHot");
        assertThat(pprofTop(out)).endsWith("WhereDidItWait.napUntilTheOvenIsHot");
    }

    @Test
    void samplesAreNanosecondsLabelledWithTaskTypeAndThread() throws Exception {
        Path out = dir.resolve("labels.pb.gz");
        assertThat(Cli.run("profile", trace.toString(), "--kind", "block", "-o", out.toString()).code()).isZero();
        ProfileProto.Profile p = read(out);
        assertThat(p.getSampleTypeList()).singleElement()
                .satisfies(t -> assertThat(p.getStringTable((int) t.getUnit())).isEqualTo("nanoseconds"));
        List<String> labels = new ArrayList<>();
        long total = 0;
        for (ProfileProto.Sample s : p.getSampleList()) {
            total += s.getValue(0);
            for (ProfileProto.Label l : s.getLabelList()) {
                labels.add(p.getStringTable((int) l.getKey()) + "=" + p.getStringTable((int) l.getStr()));
            }
        }
        assertThat(labels).contains("task_type=checkout", "thread=checkout-thread");
        assertThat(total).as("the checkout waited about the holder's %d ms", WhereDidItWait.WAIT_MILLIS)
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(WhereDidItWait.WAIT_MILLIS) / 2);
    }

    @Test
    void typeFilterKeepsOnlyThatTasksSamples() throws Exception {
        Path out = dir.resolve("bake-block.pb.gz");
        Cli none = Cli.run("profile", trace.toString(), "--kind", "block", "--type", "bake", "-o", out.toString());
        assertThat(none.code()).isEqualTo(ProfileCommand.NO_SAMPLES);
        assertThat(none.err().strip()).startsWith("asynctrace: no block samples in ").contains("of type bake")
                .doesNotContain("\n");
        assertThat(out).doesNotExist();

        Cli bake = Cli.run("profile", trace.toString(), "--kind", "sleep", "--type", "bake", "-o", out.toString());
        assertThat(bake.code()).as(bake.err()).isZero();
        assertThat(topFunction(out)).endsWith("napUntilTheOvenIsHot");
    }

    @Test
    void spansProfileUsesTheSpanBeginStacks() throws Exception {
        Path out = dir.resolve("spans.pb.gz");
        Cli r = Cli.run("profile", trace.toString(), "--kind", "spans", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        ProfileProto.Profile p = read(out);
        List<String> functions = new ArrayList<>();
        p.getFunctionList().forEach(f -> functions.add(p.getStringTable((int) f.getName())));
        assertThat(functions).anyMatch(f -> f.contains("WhereDidItWait.lambda$run$"));
    }

    @Test
    void badKindAndMissingStacksAreOneLine() {
        Cli bad = Cli.run("profile", trace.toString(), "--kind", "cpu", "-o", dir.resolve("x").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("asynctrace: unknown --kind 'cpu': choose block, sleep, socket, pinned, sched "
                + "or spans" + System.lineSeparator());
        Cli pinned = Cli.run("profile", trace.toString(), "--kind", "pinned", "-o", dir.resolve("x").toString());
        assertThat(pinned.code()).isEqualTo(ProfileCommand.NO_SAMPLES);
        assertThat(pinned.err()).startsWith("asynctrace: no pinned samples in ");
    }

    @Test
    void tasksShowTheStacks() {
        Cli text = Cli.run("tasks", trace.toString(), "--type", "checkout", "--stacks");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("monitor enter").contains("at " + WhereDidItWait.class.getName()
                + ".waitForTheLock(WhereDidItWait.java:");
        Cli plain = Cli.run("tasks", trace.toString(), "--type", "checkout");
        assertThat(plain.out()).doesNotContain("at " + WhereDidItWait.class.getName());

        Cli json = Cli.run("tasks", trace.toString(), "--type", "checkout", "--json");
        assertThat(json.code()).isZero();
        @SuppressWarnings("unchecked")
        List<Object> tasks = (List<Object>) MiniJson.parse(json.out());
        @SuppressWarnings("unchecked")
        List<Object> events = (List<Object>) ((java.util.Map<String, Object>) tasks.get(0)).get("events");
        List<Object> stacked = events.stream().filter(e -> ((java.util.Map<?, ?>) e).containsKey("stack")).toList();
        assertThat(stacked).isNotEmpty();
        java.util.Map<?, ?> frame = (java.util.Map<?, ?>) ((List<?>) ((java.util.Map<?, ?>) stacked.get(0))
                .get("stack")).get(0);
        assertThat(new ArrayList<Object>(frame.keySet())).contains("class", "method", "file", "line");
    }

    /** The function of the sample with the largest value (the leaf), read with protobuf. */
    private static String topFunction(Path profile) throws IOException {
        ProfileProto.Profile p = read(profile);
        java.util.Map<Long, Long> flat = new java.util.HashMap<>();
        for (ProfileProto.Sample s : p.getSampleList()) {
            flat.merge(s.getLocationId(0), s.getValue(0), Long::sum);
        }
        long leaf = flat.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
        ProfileProto.Location loc = p.getLocationList().stream().filter(l -> l.getId() == leaf).findFirst().orElseThrow();
        long fn = loc.getLine(0).getFunctionId();
        return p.getStringTable((int) p.getFunctionList().stream().filter(f -> f.getId() == fn).findFirst()
                .orElseThrow().getName());
    }

    private static ProfileProto.Profile read(Path profile) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(profile))) {
            return ProfileProto.Profile.parseFrom(in);
        }
    }

    /**
     * The first function {@code go tool pprof -top} lists; where Go is not installed the
     * test says so and answers with the protobuf reading (CI installs golang-go).
     */
    private static String pprofTop(Path profile) throws Exception {
        Path go = findGo();
        if (go == null) {
            System.out.println("ProfileTest: go not found on PATH: go tool pprof -top not run (install golang-go)");
            return topFunction(profile);
        }
        ProcessBuilder pb = new ProcessBuilder(go.toString(), "tool", "pprof", "-top", profile.toString());
        pb.redirectErrorStream(true);
        pb.environment().putIfAbsent("HOME", dir.toString());
        pb.environment().put("GOCACHE", dir.resolve("gocache").toString());
        pb.environment().put("PPROF_TMPDIR", dir.toString());
        Process proc = pb.start();
        String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue()).as(output).isZero();
        boolean header = false;
        for (String line : output.split("\n")) {
            if (header && !line.isBlank()) {
                String[] cols = line.trim().split("\\s+");
                return cols[cols.length - 1];
            }
            header |= line.trim().startsWith("flat");
        }
        throw new AssertionError("no rows in go tool pprof -top output:\n" + output);
    }

    private static Path findGo() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, "go");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        Path debian = Path.of("/usr/lib/go/bin/go");
        return Files.isExecutable(debian) ? debian : null;
    }
}
