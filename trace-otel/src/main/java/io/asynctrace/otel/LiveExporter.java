package io.asynctrace.otel;

import io.asynctrace.internal.TraceTap;
import io.asynctrace.internal.TraceTaps;
import io.asynctrace.reader.TraceReader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends the tasks of the running recording, as they end, to your own {@link SpanExporter}
 * (the one your OpenTelemetry SDK set-up already has): each task one span, named by its
 * type, a child task a child span, a task created under a current OpenTelemetry span or an
 * incoming {@code traceparent} a child of that span (see {@code Trace.newTask}), with the
 * task's attributes. Its ids and times are those a file export of the same recording gives,
 * so both can be used together.
 *
 * <pre>{@code
 * try (LiveExporter live = LiveExporter.start(otlpExporter, OtelExport.resource("checkout"))) {
 *     Trace.start(out);
 *     ... // tasks go out as they end
 *     Trace.stop();
 * } // sends what is queued; the exporter is yours to shut down
 * }</pre>
 *
 * <p><b>Assumptions and guarantees.</b> The application's threads do nothing for it: it
 * reads the segments the recording's writer encodes anyway, as one more output of every
 * recording that runs while it is open ({@code Trace.start}, a {@code FlightRecorder}; it
 * keeps none running). Those segments wait in a bounded queue of its own
 * ({@link Builder#queueBytes}, default 8 MiB); its one thread uses at most
 * {@link Builder#maxCpu} of a core (default a quarter: reading, mapping and your exporter's
 * {@code export} calls; the time it pauses for that is {@link #throttledNanos()}). When that
 * thread falls behind, whole segments are dropped there, the events in them counted in
 * {@link #dropped()} (with those the recording itself dropped), and the tasks they began or
 * ended are not sent (such a task is counted in {@link #forgotten()}); the recording, its other outputs and the application never
 * wait for it. A warning is logged through {@code System.Logger} "io.asynctrace" at the
 * first drop and at close. A task is sent as soon as its end is read when its begin and its
 * parent's were read before (the writer cuts a segment every flush interval), or a segment
 * later when its begin or its parent's came after it, in batches of up to {@link Builder#batchSize} (default 512) when a batch
 * is full or {@link Builder#delay} (default 1 s) has passed, from one daemon thread, waiting
 * at most {@link Builder#timeout} (default 30 s) for each ({@code export} is called on a
 * thread of its own: one that does not return in time fails that batch, and the batches after
 * it until it returns); a batch the exporter refuses, throws on or does not answer counts in
 * {@link #failed()}. Tasks that end while it listens are sent, those begun before it listened
 * too (into the trace they joined: trace-core repeats their begin and the attributes recorded
 * so far; counted in {@link #begunBefore()}); a task
 * attribute read after its task was sent is not in the span ({@link #lateAttributes()}); spans,
 * logs and the breakdown are in the file export. Thread-safe.
 */
public final class LiveExporter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    /** Segments held in the queue at most, whatever their size. */
    private static final int MAX_QUEUED_SEGMENTS = 64;

    private final SpanExporter exporter;
    private final Resource resource;
    private final int batchSize;
    private final long delayNanos;
    private final long idleNanos;
    private final long timeoutMillis;
    private final long queueBytes;
    private final long pipeBytes;
    private final LiveMapper.Counts counts = new LiveMapper.Counts();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Calls {@code export}, so that a call that blocks holds neither the worker nor {@link #close()}. */
    private final ExecutorService caller = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "asynctrace-live-export-call");
                t.setDaemon(true);
                return t;
            });
    private final TraceTap tap = this::open;
    /** One per recording, in the order they started; taken by the worker. */
    private final ConcurrentLinkedQueue<LivePipe> pipes = new ConcurrentLinkedQueue<>();
    private final Thread worker;
    private final double maxCpu;
    private volatile boolean closing;
    // Worker thread only.
    private List<SpanData> batch;
    private long due;
    private boolean warned;
    private volatile CpuBudget budget;
    /** The last export call, while it may still run. */
    private Future<CompletableResultCode> call;
    /** Set when the worker ended: later recordings open no pipe. */
    private volatile boolean dead;

    private LiveExporter(Builder b) {
        this.exporter = b.exporter;
        this.resource = b.resource;
        this.batchSize = b.batchSize;
        this.batch = new ArrayList<>(b.batchSize);
        this.delayNanos = b.delay.toNanos();
        this.idleNanos = Math.min(delayNanos, TimeUnit.MILLISECONDS.toNanos(100));
        this.timeoutMillis = b.timeout.toMillis();
        // Half waits in trace-core's queue for the tap, half in the pipe to this exporter's thread.
        this.queueBytes = Math.max(1, b.queueBytes / 2);
        this.pipeBytes = Math.max(1, b.queueBytes - queueBytes);
        this.maxCpu = b.maxCpu;
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
        private long queueBytes = 8L << 20;
        private int batchSize = 512;
        private Duration delay = Duration.ofSeconds(1);
        private Duration timeout = Duration.ofSeconds(30);
        private double maxCpu = 0.25;

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
         * How much of the recording may wait for the exporter's thread before it drops: the
         * queue holds the recording's encoded segments, not tasks, so this sets
         * {@link #queueBytes} to {@code tasks} × 256 bytes (a task's begin and end with a few
         * attributes take well under that). However small, an idle exporter takes every
         * segment: one bigger than the bound goes into an empty queue.
         *
         * @param tasks tasks' worth held before dropping
         * @return this
         */
        public Builder queueSize(int tasks) {
            this.queueBytes = 256L * positive(tasks, "queueSize");
            return this;
        }

        /**
         * @param bytes the recording's encoded segments held for the exporter's thread before
         *              whole segments are dropped (half in trace-core's queue, half handed to
         *              the thread; a segment bigger than half, which the recorder cuts at about
         *              1 MiB, is held only when nothing else is, so a bound below that drops
         *              whenever the thread is not idle)
         * @return this
         */
        public Builder queueBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("queueBytes must be positive, was " + bytes);
            }
            this.queueBytes = bytes;
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

        /**
         * @param cores the CPU its thread may use, as a share of one core (default 0.25; 1 or
         *              more: no limit): mapping the recording's tasks and the exporter's own
         *              {@code export} calls. Past it the thread pauses, and what the recording
         *              writes meanwhile waits in the queue, then is dropped (counted), so an
         *              overloaded application keeps its CPU
         * @return this
         */
        public Builder maxCpu(double cores) {
            if (!(cores > 0)) {
                throw new IllegalArgumentException("maxCpu must be positive, was " + cores);
            }
            this.maxCpu = cores;
            return this;
        }

        /** @return the exporter, listening from now on */
        public LiveExporter start() {
            LiveExporter live = new LiveExporter(this);
            live.worker.start();
            TraceTaps.add(live.tap, MAX_QUEUED_SEGMENTS, live.queueBytes);
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

    /** trace-core, under its lifecycle lock, as a recording starts or runs: a pipe for its trace. */
    private OutputStream open() {
        if (dead) {
            return null;
        }
        LivePipe pipe = new LivePipe(pipeBytes);
        pipes.add(pipe);
        LockSupport.unpark(worker);
        if (dead) { // ended meanwhile: nobody will read it
            pipe.abandon();
        }
        return pipe;
    }

    private void run() {
        try {
            budget = new CpuBudget(maxCpu);
            while (true) {
                LivePipe pipe = pipes.poll();
                if (pipe == null) {
                    if (closing && pipes.isEmpty()) {
                        break;
                    }
                    sendIfDue();
                    LockSupport.parkNanos(this, idleNanos);
                    continue;
                }
                read(pipe);
            }
            send();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "asynctrace: the live exporter stopped (a bug): " + e
                    + "; what it had not sent is lost, counted in failed()");
            failed.addAndGet(batch.size());
            throw e;
        } finally {
            // Whatever ended this thread: no recording may wait on a pipe it will not read.
            dead = true;
            TraceTaps.remove(tap);
            LivePipe left;
            while ((left = pipes.poll()) != null) {
                left.abandon();
            }
            caller.shutdown();
        }
    }

    /** Reads one recording's trace to its end (the recording ended, or this exporter was closed). */
    private void read(LivePipe pipe) {
        LiveMapper mapper = new LiveMapper(resource, this::add, counts, () -> {
            budget.pace(idleNanos, this::sendIfDue); // a batch falls due while it pauses too
            sendIfDue();
        });
        try {
            new TraceReader(pipe.input(idleNanos, () -> {
                mapper.idle();
                sendIfDue();
            })).read(mapper);
            mapper.finish();
        } catch (IOException | RuntimeException e) {
            // a bug of ours or an unreadable trace: this recording's tasks from here on are lost, said once
            LOG.log(System.Logger.Level.WARNING, "asynctrace: the live exporter could not read the recording's"
                    + " trace; its later tasks are not sent: " + e);
        } finally {
            pipe.abandon();
            warnIfDropped();
        }
    }

    private void warnIfDropped() {
        if (!warned && (counts.dropped.get() > 0 || counts.forgotten.get() > 0)) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, "asynctrace: the live exporter misses events of the recording (its"
                    + " queue was full, or the recording dropped them: LiveExporter.dropped()); the tasks they began"
                    + " or ended are not sent (LiveExporter.forgotten())");
        }
    }

    private void add(SpanData span) {
        if (batch.isEmpty()) {
            due = System.nanoTime() + delayNanos;
        }
        batch.add(span);
        if (batch.size() >= batchSize) {
            send();
        }
    }

    private void sendIfDue() {
        warnIfDropped();
        if (!batch.isEmpty() && System.nanoTime() - due >= 0) {
            send();
        }
    }

    private void send() {
        if (batch.isEmpty()) {
            return;
        }
        List<SpanData> spans = batch;
        batch = new ArrayList<>(batchSize);
        Throwable why;
        if (call != null && !call.isDone()) {
            why = null; // the exporter has not returned from the last call yet: this batch cannot go
        } else {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            try {
                call = caller.submit(() -> exporter.export(spans));
                CompletableResultCode r = call.get(timeoutMillis, TimeUnit.MILLISECONDS);
                r.join(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (r.isSuccess()) {
                    exported.addAndGet(spans.size());
                    return;
                }
                why = r.getFailureThrowable();
            } catch (ExecutionException e) {
                why = e.getCause(); // export threw, an Error as well: the exporter's, counted
            } catch (TimeoutException | RejectedExecutionException e) {
                why = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                why = e;
            }
        }
        if (failed.getAndAdd(spans.size()) == 0) {
            LOG.log(System.Logger.Level.WARNING, "asynctrace: the live exporter's SpanExporter refused or did not"
                    + " answer a batch of " + spans.size() + " spans within " + timeoutMillis + " ms"
                    + (why == null ? " (its last call has not returned)" : ": " + why) + " (counted in LiveExporter.failed())");
        }
    }

    /** @return spans the exporter accepted */
    public long exported() {
        return exported.get();
    }

    /**
     * @return events of every kind (not spans) this exporter never read, as the recording's
     *         segments count them: its queue was full, or the recording itself dropped them;
     *         the tasks they began or ended are not sent
     */
    public long dropped() {
        return counts.dropped.get();
    }

    /**
     * @return tasks given up on, not sent, each counted once: an end whose begin never came
     *         (it was among the {@link #dropped()} events), counted when its recording's trace
     *         ends or once 65 536 newer such ends wait; or, past 65 536 tasks begun and not yet
     *         ended, the oldest of them (an application that never ends its tasks)
     */
    public long forgotten() {
        return counts.forgotten.get();
    }

    /**
     * @return tasks sent that began before this exporter read the recording (it was started
     *         while they ran): they went with the attributes recorded on them until then (at most
     *         16 keys, trace-core's bound; further keys are counted in {@link #dropped()})
     */
    public long begunBefore() {
        return counts.begunBefore.get();
    }

    /**
     * @return task attributes not in their task's span: read after the task was sent (set after
     *         its end, or in a segment read after the one that completed it), or before anything
     *         else of the task; the file export has them
     */
    public long lateAttributes() {
        return counts.lateAttributes.get();
    }

    /**
     * @return nanoseconds its thread paused to stay within {@link Builder#maxCpu}: while it
     *         pauses the recording's segments wait in the queue, and past the queue's bound
     *         they are {@link #dropped()}
     */
    public long throttledNanos() {
        CpuBudget b = budget;
        return b == null ? 0 : b.parkedNanos();
    }

    /** @return spans in batches the exporter refused, threw on, or did not answer in time */
    public long failed() {
        return failed.get();
    }

    /**
     * Stops listening, sends what is queued (the running recording's trace up to this call) and
     * logs a summary if anything was dropped or refused. It waits for each batch at most the
     * timeout, and not at all for batches that come while an earlier call has not returned
     * (they count in {@link #failed()}), so it returns within one timeout of the queue's last
     * batch, whatever the exporter does. The exporter is not shut down.
     */
    @Override
    public void close() {
        // Once this returns no recording opens a pipe for it, and the running one's pipe gets its final segment.
        TraceTaps.remove(tap);
        closing = true;
        LockSupport.unpark(worker);
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (counts.dropped.get() > 0 || counts.forgotten.get() > 0 || failed.get() > 0
                || counts.lateAttributes.get() > 0) {
            LOG.log(System.Logger.Level.WARNING, "asynctrace: live exporter: " + exported.get() + " spans exported, "
                    + counts.dropped.get() + " events dropped (its queue was full, or the recording dropped them), "
                    + counts.forgotten.get() + " tasks forgotten, " + failed.get() + " spans refused or not answered, "
                    + counts.begunBefore.get() + " of them begun before it listened, "
                    + counts.lateAttributes.get() + " task attributes read too late for their span, paused "
                    + TimeUnit.NANOSECONDS.toMillis(throttledNanos()) + " ms for its CPU budget");
        }
    }

    @Override
    public String toString() {
        return "LiveExporter[exported " + exported.get() + ", dropped " + counts.dropped.get() + ", forgotten "
                + counts.forgotten.get() + ", failed " + failed.get() + ", begun before " + counts.begunBefore.get()
                + ", late attributes " + counts.lateAttributes.get() + ", throttled "
                + TimeUnit.NANOSECONDS.toMillis(throttledNanos()) + " ms]";
    }
}
