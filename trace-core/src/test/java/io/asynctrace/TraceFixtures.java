package io.asynctrace;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small traces with known content, shared by the format tests. */
final class TraceFixtures {
    private TraceFixtures() {
    }

    /**
     * Records the golden content: two orders (one failing), nested and detached spans,
     * attributes, a job hop, a cut log, a misuse, across three segments (two flushes, then the final one).
     */
    static void recordGolden(OutputStream out) throws InterruptedException {
        recordGolden(out, 0);
    }

    /** The golden content with stacks of {@code stackDepth} frames on task begins, span begins, logs and jobs. */
    static void recordGolden(OutputStream out, int stackDepth) throws InterruptedException {
        Trace.start(out, TraceOptions.defaults().withMaxThreadBuffers(0).withFlushIntervalMillis(10)
                .withStackDepth(stackDepth));
        try {
            Task first = Trace.newTask("order").attr("tier", "gold");
            try (Scope s = first.makeCurrent()) {
                Trace.log("orderID", "1");
                Trace.withSpan("steamMilk", () -> Trace.withSpan("heat", () -> Trace.log("temp", "65C")));
            }
            cutSegment();
            Span detached = first.startSpan("extractCoffee").attr("beans", "arabica");
            long job;
            try (Scope s = first.makeCurrent()) {
                job = Trace.jobQueued();
            }
            Thread worker = new Thread(() -> {
                Trace.jobStarted(job);
                detached.end();
                Trace.jobFinished(job);
            }, "barista");
            worker.start();
            worker.join();
            first.end();
            cutSegment();
            Task second = Trace.newTask("order");
            try (Scope s = second.makeCurrent()) {
                Trace.log("orderID", "2");
                Trace.log("note", "y".repeat(5000));
                Span twice = Trace.startSpan("mixMilkCoffee");
                twice.end();
                twice.end();
            }
            second.end("java.lang.IllegalStateException");
        } finally {
            Trace.stop();
        }
    }

    /** Writes out what is recorded so far as a segment of its own: the next events start another. */
    private static void cutSegment() {
        if (!Trace.flush()) {
            throw new AssertionError("Trace.flush() failed: the recording ended");
        }
    }

    static byte[] golden() throws InterruptedException {
        return golden(0);
    }

    static byte[] golden(int stackDepth) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        recordGolden(out, stackDepth);
        return out.toByteArray();
    }

    /** The depth of the stacks in the golden files of versions 2 and 3. */
    static final int GOLDEN_STACK_DEPTH = 6;

    /** Regenerates the committed golden file of this version: run only when the format version changes. */
    public static void main(String[] args) throws Exception {
        Path target = Path.of(args.length > 0 ? args[0] : "trace-core/src/test/resources/golden/v"
                + io.asynctrace.internal.format.Wire.VERSION + ".trace");
        Files.write(target, golden(GOLDEN_STACK_DEPTH));
        System.out.println("wrote " + target + " (" + Files.size(target) + " bytes)");
    }

    /** Offsets of every segment in a trace: [start, bodyStart, bodyEnd) triples. */
    static java.util.List<int[]> segments(byte[] trace) {
        java.util.List<int[]> result = new java.util.ArrayList<>();
        int p = io.asynctrace.internal.format.Wire.HEADER_SIZE;
        while (p + io.asynctrace.internal.format.Wire.SEGMENT_PREFIX <= trace.length) {
            long len = ((trace[p + 1] & 0xFFL) << 24) | ((trace[p + 2] & 0xFF) << 16) | ((trace[p + 3] & 0xFF) << 8)
                    | (trace[p + 4] & 0xFF);
            int body = p + io.asynctrace.internal.format.Wire.SEGMENT_PREFIX;
            if (body + len > trace.length) {
                result.add(new int[] {p, body, Integer.MAX_VALUE});
                break;
            }
            result.add(new int[] {p, body, (int) (body + len)});
            p = (int) (body + len);
        }
        return result;
    }

    /** Recomputes every segment checksum, so that a mutation reaches the body decoder. */
    static void fixChecksums(byte[] trace) {
        for (int[] seg : segments(trace)) {
            if (seg[2] > trace.length) {
                break;
            }
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(trace, seg[1], seg[2] - seg[1]);
            int v = (int) crc.getValue();
            trace[seg[0] + 5] = (byte) (v >>> 24);
            trace[seg[0] + 6] = (byte) (v >>> 16);
            trace[seg[0] + 7] = (byte) (v >>> 8);
            trace[seg[0] + 8] = (byte) v;
        }
    }

}
