package io.asynctrace.benchmarks.peers;

import io.asynctrace.RecordingStats;
import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.reader.TraceModel;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Case 5 of issue 10: bytes on disk for the same events recorded by asynctrace and by
 * JFR. One thread, under one task, records {@code n} spans ({@code Trace.withSpan}
 * against a JFR event's {@code begin()/commit()}), then {@code n} logs
 * ({@code Trace.log} against a JFR event's {@code commit()}); each file is read back to
 * check that every event is there. The size of an empty recording is reported too:
 * a JFR file always carries the metadata of every event type the JVM knows.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.asynctrace.benchmarks.peers.SizeComparison [n]}
 * (n defaults to 1,000,000).
 */
public final class SizeComparison {
    private static final Runnable NOTHING = () -> { };
    /** Enough buffers that the writer never has to drop an event. */
    private static final TraceOptions OPTIONS = TraceOptions.defaults().withMaxBuffers(1024);

    private SizeComparison() {
    }

    /** What is recorded: {@code n} spans, or {@code n} logs. */
    private enum Kind { SPANS, LOGS }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("asynctrace-size");
        try {
            System.out.printf("%-8s %12s %14s %12s %14s %10s%n",
                    "events", "asynctrace B", "B/event", "JFR B", "B/event", "ours/JFR");
            long emptyOurs = asynctrace(dir.resolve("empty.trace"), Kind.SPANS, 0);
            long emptyJfr = jfr(dir.resolve("empty.jfr"), Kind.SPANS, 0);
            System.out.printf("%-8s %,12d %14s %,12d %14s %10.3f%n", "none", emptyOurs, "", emptyJfr, "",
                    (double) emptyOurs / emptyJfr);
            for (Kind kind : Kind.values()) {
                long ours = asynctrace(dir.resolve(kind + ".trace"), kind, n);
                long theirs = jfr(dir.resolve(kind + ".jfr"), kind, n);
                System.out.printf("%-8s %,12d %14.2f %,12d %14.2f %10.3f%n", kind.name().toLowerCase(), ours,
                        (double) (ours - emptyOurs) / n, theirs, (double) (theirs - emptyJfr) / n,
                        (double) ours / theirs);
            }
            System.out.printf("(%,d events of each kind, one thread, one task; B/event leaves out the empty file)%n", n);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long asynctrace(Path file, Kind kind, int n) throws IOException {
        RecordingStats stats;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
            Trace.start(out, OPTIONS);
            try (Task task = Trace.newTask("bench"); Scope s = task.makeCurrent()) {
                for (int i = 0; i < n; i++) {
                    if (kind == Kind.SPANS) {
                        Trace.withSpan("steamMilk", NOTHING);
                    } else {
                        Trace.log("orderID", "42");
                    }
                }
            }
            stats = Trace.stop();
        }
        TraceModel model = TraceModel.read(file);
        int found = kind == Kind.SPANS ? model.spans().size() : model.logs().size();
        check("asynctrace", found, n, stats.droppedEvents() + model.dropped());
        return Files.size(file);
    }

    private static long jfr(Path file, Kind kind, int n) throws IOException {
        try (Recording recording = new Recording()) {
            recording.enable(JfrEvents.LogEvent.class).withoutStackTrace();
            recording.enable(JfrEvents.SpanEvent.class).withoutStackTrace().withThreshold(Duration.ZERO);
            recording.setToDisk(true);
            recording.setDestination(file);
            recording.start();
            for (int i = 0; i < n; i++) {
                if (kind == Kind.SPANS) {
                    JfrEvents.SpanEvent e = new JfrEvents.SpanEvent();
                    e.name = "steamMilk";
                    e.begin();
                    NOTHING.run();
                    e.commit();
                } else {
                    JfrEvents.LogEvent e = new JfrEvents.LogEvent();
                    e.category = "orderID";
                    e.message = "42";
                    e.commit();
                }
            }
            recording.stop();
        }
        int found = 0;
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                if (e.getEventType().getName().startsWith("io.asynctrace.benchmarks.")) {
                    found++;
                }
            }
        }
        check("JFR", found, n, 0);
        return Files.size(file);
    }

    private static void check(String who, int found, int wanted, long dropped) {
        if (found != wanted || dropped != 0) {
            System.out.printf("warning: %s file has %,d of %,d events, %,d dropped%n", who, found, wanted, dropped);
        }
    }
}
