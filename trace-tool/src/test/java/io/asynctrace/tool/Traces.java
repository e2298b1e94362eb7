package io.asynctrace.tool;

import io.asynctrace.Scope;
import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.testing.Work;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Records the traces the tests read, with the real recording API. */
final class Traces {
    /** A log message that needs every kind of JSON escaping. */
    static final String NASTY = "quote \" backslash \\ newline \n tab \t bell \u0007 snowman \u2603 sep \u2028";

    private Traces() {
    }

    /**
     * The sample: on thread "main-test", three "order" tasks (#1 fast, #2 with a child
     * "payment" task and an executor hop to "worker-1", #3 ended "timeout"), one
     * "order" that never ends, a span "slowOp" detached and ended on the worker, logs
     * "orderID" and "note" (with {@link #NASTY}).
     */
    static Sample sample(Path file) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "worker-1"));
        Sample s = new Sample();
        Thread main = new Thread(() -> {
            try {
                record(file, pool, s);
            } catch (Exception e) {
                s.failure = e;
            }
        }, "main-test");
        main.start();
        main.join();
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        if (s.failure != null) {
            throw s.failure;
        }
        return s;
    }

    /** Ids of the sample's tasks. */
    static final class Sample {
        long fast;
        long hop;
        long child;
        long timeout;
        long open;
        Exception failure;
    }

    private static void record(Path file, ExecutorService pool, Sample s) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            Trace.start(out);
            try {
                try (Task fast = Trace.newTask("order"); Scope sc = fast.makeCurrent()) {
                    s.fast = fast.id();
                    Trace.log("orderID", "1");
                    Trace.withSpan("validate", () -> Work.spin(200_000));
                }
                Task hop = Trace.newTask("order");
                s.hop = hop.id();
                try (Scope sc = hop.makeCurrent()) {
                    Trace.log("orderID", "2");
                    Trace.log("note", NASTY);
                    try (Task pay = Trace.newTask("payment"); Scope p = pay.makeCurrent()) {
                        s.child = pay.id();
                        Trace.withSpan("charge", () -> Work.spin(300_000));
                    }
                    Span slow = hop.startSpan("slowOp");
                    long job = Trace.jobQueued();
                    Work.spin(2_000_000); // the job waits for the busy worker's first task
                    Future<?> f = pool.submit(() -> {
                        Trace.jobStarted(job);
                        try (Scope w = hop.makeCurrent()) {
                            Trace.withSpan("work", () -> Work.spin(1_000_000));
                            slow.end();
                        } finally {
                            Trace.jobFinished(job);
                        }
                    });
                    f.get();
                    Work.spin(500_000); // "other": neither running a span nor queued
                }
                hop.end();
                Task timeout = Trace.newTask("order");
                s.timeout = timeout.id();
                try (Scope sc = timeout.makeCurrent()) {
                    Trace.log("orderID", "3");
                    Work.spin(100_000);
                }
                timeout.end("timeout");
                Task open = Trace.newTask("order");
                s.open = open.id();
                open.log("orderID", "4");
            } finally {
                Trace.stop();
            }
        }
    }

    /**
     * A trace with {@code tasks} tasks of {@code spans} spans each, in several segments
     * (small buffers, a flush every 1000 tasks).
     */
    static void many(Path file, int tasks, int spans) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            Trace.start(out, io.asynctrace.TraceOptions.defaults().withBufferSize(16 * 1024).withMaxBuffers(1024)
                    .withFlushIntervalMillis(10));
            try {
                for (int i = 0; i < tasks; i++) {
                    if (i % 1000 == 999 && !Trace.flush()) { // ends a segment
                        throw new IllegalStateException("the recording ended early");
                    }
                    try (Task t = Trace.newTask(i % 2 == 0 ? "even" : "odd"); Scope sc = t.makeCurrent()) {
                        for (int k = 0; k < spans; k++) {
                            Trace.withSpan("step", () -> { });
                        }
                        Trace.log("n", Integer.toString(i));
                    }
                }
            } finally {
                Trace.stop();
            }
        }
    }
}
