package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trace with JVM runtime events, written event by event with {@link TraceWriter}:
 *
 * <pre>
 * task A #100 "order": begins and ends on worker-7 (#7), 1 ms → 5 ms
 *   park 2 → 4 ms on #7 (counts 2 ms), socket read 4.5 → 5.5 ms on #7 (counts 0.5 ms)
 * task B #200 "order": begins on main (#1) at 3 ms, job #300 queued at 3 ms, runs on
 *   worker-8 (#8) 6 → 8 ms, ends on #8 at 9 ms
 *   sleep 6.5 → 7.5 ms on #8 (counts 1 ms); park 8.5 → 8.8 ms on #8 (after the job: not counted);
 *   monitor enter 4 → 4.5 ms on #1 (B never ran on #1: not counted)
 * GC pause #12 "G1 Young" 4 → 7 ms (A: 1 ms, B: 3 ms), heap 50 MiB at 7 ms;
 * GC pause #13 10 → 11 ms (no task), heap 30 MiB at 11 ms; data loss of 2048 bytes at 12 ms
 * </pre>
 */
final class RuntimeSample {
    static final long MS = 1_000_000;
    static final long MIB = 1 << 20;

    private RuntimeSample() {
    }

    /** Writes the sample to {@code trace}; returns it. */
    static Path write(Path trace) throws IOException {
    try (TraceWriter w = new TraceWriter(Files.newOutputStream(trace))) {
        w.onHeader(new TraceHeader(1, 1_700_000_000_000_000_000L, 0));
        w.onThread(7, "worker-7");
        w.onTaskBegin(1 * MS, 7, 100, 0, "order", false);
        w.onRuntime(2 * MS, 7, RuntimeKind.THREAD_PARK, 2 * MS, 0, "java.util.concurrent.locks.ReentrantLock");
        w.onRuntime(4_500_000, 7, RuntimeKind.SOCKET_READ, 1 * MS, 1024, "127.0.0.1:5000");
        w.onTaskEnd(5 * MS, 7, 100, "ok");
        w.onThread(1, "main");
        w.onTaskBegin(3 * MS, 1, 200, 0, "order", false);
        w.onJobQueued(3 * MS, 1, 300, 200);
        w.onRuntime(4 * MS, 1, RuntimeKind.MONITOR_ENTER, 500_000, 0, "java.lang.Object");
        w.onThread(8, "worker-8");
        w.onJobStarted(6 * MS, 8, 300);
        w.onRuntime(6_500_000, 8, RuntimeKind.THREAD_SLEEP, 1 * MS, 0, "");
        w.onJobFinished(8 * MS, 8, 300);
        w.onRuntime(8_500_000, 8, RuntimeKind.THREAD_PARK, 300_000, 0, "java.util.concurrent.CompletableFuture$Signaller");
        w.onTaskEnd(9 * MS, 8, 200, "ok");
        w.onThread(0, "JVM");
        w.onRuntime(4 * MS, 0, RuntimeKind.GC_PAUSE, 3 * MS, 12, "G1 Young");
        w.onRuntime(7 * MS, 0, RuntimeKind.HEAP_AFTER_GC, 0, 50 * MIB, "");
        w.onRuntime(10 * MS, 0, RuntimeKind.GC_PAUSE, 1 * MS, 13, "G1 Young");
        w.onRuntime(11 * MS, 0, RuntimeKind.HEAP_AFTER_GC, 0, 30 * MIB, "");
        w.onRuntime(12 * MS, 0, RuntimeKind.DATA_LOSS, 0, 2048, "JDK Flight Recorder lost 2048 bytes of events");
    }
        return trace;
    }
}
