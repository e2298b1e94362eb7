package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.internal.format.Wire;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.reader.TraceReader;
import io.asynctrace.reader.TraceWriter;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The recorder and TraceWriter share one encoder: the same events give the same bytes. */
class SameBytesTest {

    @Test
    void rewritingARecordingWithTraceWriterGivesTheSameBytes() throws IOException {
        Task before = Trace.newTask("created before the trace");
        ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        Trace.start(recorded, TraceOptions.defaults().withFlushIntervalMillis(60_000));
        try {
            Task order = Trace.newTask("order").attr("tier", "gold \uD83D\uDE00");
            try (Scope s = order.makeCurrent()) {
                Trace.log("orderID", "1");
                Trace.withSpan("steamMilk", () -> Trace.withSpan("heat", () -> Trace.log("temp", "65C")));
                Trace.log("note", "y".repeat(5000));
                Trace.log("long", "z".repeat(Wire.MAX_MESSAGE_CHARS - 1) + "\uD83D\uDE00");
                long job = Trace.jobQueued();
                Trace.jobStarted(job);
                Span twice = Trace.startSpan("mix").attr("k".repeat(2000), "v".repeat(2000));
                twice.end();
                twice.end();
                Trace.jobFinished(job);
            }
            before.log("late", "mentioned first now");
            before.end("cancelled");
            order.end();
            Recorder.active.runtimeEvent(0, "JVM", System.nanoTime(), 1234, Wire.RUNTIME_GC_PAUSE, 3, "G1 Young");
        } finally {
            Trace.stop();
        }
        byte[] original = recorded.toByteArray();
        assertThat(TraceModels.read(original).complete()).isTrue();

        ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
        try (TraceReader reader = new TraceReader(new ByteArrayInputStream(original));
             TraceWriter writer = new TraceWriter(rewritten)) {
            reader.read(writer);
        }
        assertThat(rewritten.toByteArray()).isEqualTo(original);
    }
}
