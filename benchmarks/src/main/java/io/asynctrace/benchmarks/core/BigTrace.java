package io.asynctrace.benchmarks.core;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.StackFrame;
import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceWriter;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a big trace with stacks, for the streaming and memory figures of
 * {@code asynctrace profile}: tasks of 8 spans and a log on 4 threads, each span
 * begun at one of 40 call stacks of 12 frames, and a thread park with a stack every
 * 50 tasks, written offline by {@link TraceWriter} (a recording would spend its time
 * walking stacks).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.asynctrace.benchmarks.core.BigTrace big-stacks.trace 1024}
 * (the size in MiB)
 */
public final class BigTrace {
    private BigTrace() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "big-stacks.trace");
        long bytes = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
        List<CallStack> stacks = new ArrayList<>();
        for (int s = 0; s < 40; s++) {
            List<StackFrame> frames = new ArrayList<>();
            frames.add(new StackFrame("com.example.shop.Barista" + (s % 8), "step" + s, "Barista" + (s % 8) + ".java",
                    10 + s));
            for (int f = 1; f < 12; f++) {
                frames.add(new StackFrame("com.example.shop.Layer" + f, "call" + (s % 3), "Layer" + f + ".java", f * 7));
            }
            stacks.add(CallStack.of(frames, false));
        }
        CallStack park = CallStack.of(List.of(new StackFrame("jdk.internal.misc.Unsafe", "park", "", 0),
                new StackFrame("com.example.shop.Counter", "awaitCup", "Counter.java", 33),
                new StackFrame("com.example.shop.Counter", "serve", "Counter.java", 20)), false);
        long t = 1_000;
        long id = 1;
        long tasks = 0;
        try (TraceWriter w = new TraceWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            w.onHeader(new TraceHeader(2, System.currentTimeMillis() * 1_000_000L, System.nanoTime()));
            for (int th = 1; th <= 4; th++) {
                w.onThread(th, "worker-" + th);
            }
            while (tasks % 10_000 != 0 || Files.size(file) < bytes) {
                long thread = 1 + tasks % 4;
                long task = id++;
                w.onTaskBegin(t, thread, task, 0, "order", false, null);
                for (int s = 0; s < 8; s++) {
                    long span = id++;
                    w.onSpanBegin(t + 10, thread, span, 0, task, "step", stacks.get((int) ((tasks + s) % 40)));
                    t += 200;
                    w.onSpanEnd(t, thread, span);
                }
                w.onLog(t + 5, thread, task, "orderID", Long.toString(task), null);
                if (tasks % 50 == 0) {
                    w.onRuntime(t + 10, thread, RuntimeKind.THREAD_PARK, 150, 0, "java.lang.Object", park);
                }
                t += 400;
                w.onTaskEnd(t, thread, task, "ok");
                tasks++;
            }
        }
        System.out.printf("wrote %s: %,d bytes, %,d tasks%n", file, Files.size(file), tasks);
    }
}
