package io.asynctrace.otel;

import io.asynctrace.internal.TaskEnd;
import io.asynctrace.internal.TaskEndListener;
import io.asynctrace.internal.TaskEndListeners;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends the tasks of the running recording, as they end, to your own {@link SpanExporter}
 * (the one your OpenTelemetry SDK set-up already has): each task one span, named by its
 * type, a child task a child span, a task created under a current OpenTelemetry span a
 * child of that span (see {@code Trace.newTask}). Its ids and times are those a file export
 * of the same recording gives, so both can be used together.
 *
 * <pre>{@code
 * try (LiveExporter live = LiveExporter.start(otlpExporter, OtelExport.resource("checkout"))) {
 *     Trace.start(out);
 *     ... // tasks go out as they end
 *     Trace.stop();
 * } // sends what is queued; the exporter is yours to shut down
 * }</pre>
 *
 * <p><b>Assumptions and guarantees.</b> The application's thread only puts the ended task on
 * a bounded lock-free ring ({@link Builder#queueSize}, default 2048, rounded up to a power
 * of two; one compare-and-set, no allocation beyond the {@code TaskEnd} the recorder made):
 * it never waits for the exporter. A full queue drops the task, and {@link #dropped()} counts it (a warning
 * is logged through {@code System.Logger} "io.asynctrace" at the first drop and at close).
 * One daemon thread sends batches of up to {@link Builder#batchSize} (default 512) when a
 * batch is full or {@link Builder#delay} (default 1 s) has passed, waiting at most
 * {@link Builder#timeout} (default 30 s) for each; a batch the exporter refuses counts in
 * {@link #failed()}. Only tasks ended while a recording runs are sent; spans, logs and the
 * breakdown are in the file export. Thread-safe.
 */
public final class LiveExporter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");

    private final SpanExporter exporter;
    private final Resource resource;
    private final int batchSize;
    private final long delayNanos;
    private final long timeoutMillis;
    private final TaskEndQueue queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final TaskEndListener listener = this::offer;
    private final Thread worker;
    private volatile boolean closing;
    private SpanIds ids;
    private long idsWallBase;
    private long idsBase;

    private LiveExporter(Builder b) {
        this.exporter = b.exporter;
        this.resource = b.resource;
        this.queue = new TaskEndQueue(b.queueSize);
        this.batchSize = b.batchSize;
        this.delayNanos = b.delay.toNanos();
        this.timeoutMillis = b.timeout.toMillis();
        this.worker = new Thread(this::run, "asynctrace-live-exporter");
        worker.setDaemon(true);
    }

    /**
     * Starts sending ended tasks with the default settings.
     *
     * @param exporter where the spans go; not shut down by {@link #close()}
     * @param resource the spans' resource (see {@link OtelExport#resource})
     * @return the running exporter; close it to stop
     */
    public static LiveExporter start(SpanExporter exporter, Resource resource) {
        return builder(exporter).resource(resource).start();
    }

    /**
     * @param exporter where the spans go; not shut down by {@link #close()}
     * @return a builder with the defaults
     */
    public static Builder builder(SpanExporter exporter) {
        return new Builder(Objects.requireNonNull(exporter, "exporter"));
    }

    /** The settings of a {@link LiveExporter}; each must be positive (else {@link IllegalArgumentException}). */
    public static final class Builder {
        private final SpanExporter exporter;
        private Resource resource = Resource.getDefault();
        private int queueSize = 2048;
        private int batchSize = 512;
        private Duration delay = Duration.ofSeconds(1);
        private Duration timeout = Duration.ofSeconds(30);

        private Builder(SpanExporter exporter) {
            this.exporter = exporter;
        }

        /**
         * @param resource the spans' resource
         * @return this
         */
        public Builder resource(Resource resource) {
            this.resource = Objects.requireNonNull(resource, "resource");
            return this;
        }

        /**
         * @param tasks ended tasks held before dropping (rounded up to a power of two)
         * @return this
         */
        public Builder queueSize(int tasks) {
            this.queueSize = positive(tasks, "queueSize");
            return this;
        }

        /**
         * @param spans spans per export call
         * @return this
         */
        public Builder batchSize(int spans) {
            this.batchSize = positive(spans, "batchSize");
            return this;
        }

        /**
         * @param delay the longest a task waits before its batch is sent
         * @return this
         */
        public Builder delay(Duration delay) {
            this.delay = positive(delay, "delay");
            return this;
        }

        /**
         * @param timeout how long one export call may take
         * @return this
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** @return the exporter, listening from now on */
        public LiveExporter start() {
            LiveExporter live = new LiveExporter(this);
            live.worker.start();
            TaskEndListeners.add(live.listener);
            return live;
        }

        private static int positive(int n, String what) {
            if (n <= 0) {
                throw new IllegalArgumentException(what + " must be positive, was " + n);
            }
            return n;
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }

    /** On the application's thread: queue or drop, never wait. */
    private void offer(TaskEnd task) {
        long index = closing ? -1 : queue.offer(task);
        if (index < 0) {
            if (dropped.getAndIncrement() == 0) {
                LOG.log(System.Logger.Level.WARNING, "asynctrace: the live exporter's queue is full: ended tasks are "
                        + "dropped (counted in LiveExporter.dropped())");
            }
            return;
        }
        if ((index + 1) % batchSize == 0) { // a batch's worth more: wake the worker once, not at every task
            LockSupport.unpark(worker);
        }
    }

    private void run() {
        List<SpanData> batch = new ArrayList<>(batchSize);
        long due = System.nanoTime() + delayNanos;
        while (true) {
            TaskEnd t = queue.poll();
            if (t != null) {
                batch.add(span(t));
                if (batch.size() >= batchSize) {
                    send(batch);
                    batch = new ArrayList<>(batchSize);
                    due = System.nanoTime() + delayNanos;
                }
                continue;
            }
            boolean stop = closing;
            if (!batch.isEmpty() && (stop || System.nanoTime() - due >= 0)) {
                send(batch);
                batch = new ArrayList<>(batchSize);
            }
            if (stop) {
                return;
            }
            if (batch.isEmpty()) {
                due = System.nanoTime() + delayNanos;
            }
            LockSupport.parkNanos(this, Math.min(delayNanos, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private void send(List<SpanData> batch) {
        CompletableResultCode r;
        try {
            r = exporter.export(batch).join(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            r = CompletableResultCode.ofExceptionalFailure(e);
        }
        if (r.isSuccess()) {
            exported.addAndGet(batch.size());
        } else if (failed.getAndAdd(batch.size()) == 0) {
            LOG.log(System.Logger.Level.WARNING, "asynctrace: the live exporter's SpanExporter refused a batch of "
                    + batch.size() + " spans" + (r.getFailureThrowable() == null ? "" : ": " + r.getFailureThrowable())
                    + " (counted in LiveExporter.failed())");
        }
    }

    /** @return the span of an ended task (worker thread only) */
    private SpanData span(TaskEnd t) {
        if (ids == null || idsWallBase != t.recordingWallBase() || idsBase != t.recordingBase()) {
            ids = new SpanIds(t.recordingWallBase(), t.recordingBase());
            idsWallBase = t.recordingWallBase();
            idsBase = t.recordingBase();
        }
        String traceId = t.traceId() != null ? t.traceId() : ids.trace(t.rootId());
        String parent = t.parentId() != 0 ? ids.task(t.parentId()) : t.parentSpanId();
        AttributesBuilder a = Attributes.builder();
        if (t.traceId() != null && t.parentId() == 0) {
            a.put("trace.id", t.traceId()).put("trace.parent_id", t.parentSpanId());
        }
        a.put(SpanFactory.TASK_ID, t.id());
        if (t.parentId() != 0) {
            a.put(SpanFactory.PARENT_TASK_ID, t.parentId());
        }
        a.put(SpanFactory.OUTCOME, t.outcome()).put(SpanFactory.END_THREAD, t.thread());
        long start = t.recordingWallBase() + (t.startNanos() - t.recordingBase());
        long end = t.recordingWallBase() + (t.endNanos() - t.recordingBase());
        SpanContext context = SpanContext.create(traceId, ids.task(t.id()), TraceFlags.getSampled(), TraceState.getDefault());
        SpanContext parentContext = parent == null ? SpanContext.getInvalid()
                : SpanContext.create(traceId, parent, TraceFlags.getSampled(), TraceState.getDefault());
        return new MappedSpan(t.type(), SpanKind.INTERNAL, context, parentContext, SpanFactory.status(t.outcome()),
                start, end, a.build(), List.of(), 0, resource);
    }

    /** @return spans the exporter accepted */
    public long exported() {
        return exported.get();
    }

    /** @return ended tasks dropped because the queue was full (or ended after close) */
    public long dropped() {
        return dropped.get();
    }

    /** @return spans in batches the exporter refused or did not answer in time */
    public long failed() {
        return failed.get();
    }

    /**
     * Stops listening, sends what is queued (waiting for the exporter up to its timeout per
     * batch) and logs a summary if anything was dropped or refused. The exporter is not shut down.
     */
    @Override
    public void close() {
        TaskEndListeners.remove(listener);
        closing = true;
        LockSupport.unpark(worker);
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (queue.poll() != null) { // offered while closing, after the worker's last look
            dropped.incrementAndGet();
        }
        if (dropped.get() > 0 || failed.get() > 0) {
            LOG.log(System.Logger.Level.WARNING, "asynctrace: live exporter: " + exported.get() + " spans exported, "
                    + dropped.get() + " ended tasks dropped (queue full), " + failed.get() + " spans refused");
        }
    }

    @Override
    public String toString() {
        return "LiveExporter[exported " + exported.get() + ", dropped " + dropped.get() + ", failed " + failed.get() + "]";
    }
}
