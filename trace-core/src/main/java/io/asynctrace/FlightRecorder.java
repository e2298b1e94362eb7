package io.asynctrace;

import io.asynctrace.internal.TaskEnd;
import io.asynctrace.internal.TaskEndListener;
import io.asynctrace.internal.TaskEndListeners;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Always-on tracing that keeps the last seconds in memory, writes them out on demand,
 * and snapshots slow or failed tasks by itself: Go's {@code trace.FlightRecorder} plus
 * triggers.
 *
 * <pre>{@code
 * FlightRecorder flight = new FlightRecorder(Duration.ofSeconds(10), 64 << 20)
 *         .snapshotWhen("order", Duration.ofMillis(500), SnapshotSink.directory(Path.of("slow")))
 *         .snapshotOnError("order", SnapshotSink.directory(Path.of("failed")));
 * flight.start();
 * ...
 * flight.writeTo(out);   // the last 10 s (or 64 MiB), as a complete trace
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>At most one flight recorder runs per JVM, and it may run at the same time as
 *       a {@link Trace#start} recording: both are fed by one recording, whose
 *       {@link TraceOptions} the one started first set. Started second, it joins
 *       with those options, or refuses to start if {@link #withOptions} asked for
 *       others. Events reach the flight recorder in segments, at least every flush
 *       interval, and a slow or failed {@code Trace.start} output never costs it
 *       events.</li>
 *   <li>It keeps whole segments: at least those covering the last {@code minAge},
 *       but never more than {@code maxBytes} plus the newest segment;
 *       {@code maxBytes} wins when the two disagree.</li>
 *   <li>{@link #writeTo} first writes out every event recorded before the call, then
 *       writes a complete trace (header, segments, a final segment) of what is kept
 *       at that moment. Concurrent calls each get their own complete snapshot; none
 *       waits for another's output, so a slow download never delays a triggered
 *       snapshot.</li>
 *   <li>If the recording ends under it (its writer failed), the flight recorder
 *       stops: {@link #isRunning()} is false, {@link #writeTo} throws, and a new
 *       {@link #start} works.</li>
 *   <li>Triggers run when a task of the named type (or any type, for {@code null})
 *       ends slower than a threshold, or not {@code "ok"}: a snapshot containing the
 *       task is written to the sink on the flight recorder's own thread, at most one
 *       per {@linkplain #withSnapshotInterval snapshot interval} (default 10 s); the
 *       others are counted as suppressed. A task longer than what is kept is only
 *       partly in its snapshot. Triggers never block or throw into the thread that
 *       ends the task. A snapshot still queued when the flight recorder stops is
 *       not written (no empty file is left) and counts as suppressed; one that took
 *       the kept segments before the stop is written whole; one that had not is not
 *       opened and counts as suppressed. A refused {@link #start} (already running)
 *       leaves the running recorder and its triggers as they were.</li>
 * </ul>
 */
public final class FlightRecorder {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private final long minAgeNanos;
    private final long maxBytes;
    /** The options asked for with {@link #withOptions}, or null to join any recording as it is. */
    private volatile TraceOptions options;
    private volatile long snapshotIntervalNanos = TimeUnit.SECONDS.toNanos(10);
    private final List<Trigger> triggers = new CopyOnWriteArrayList<>();
    private final AtomicLong lastSnapshot = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final TaskEndListener triggerListener = this::onTaskEnd;

    // Set by Recordings while this flight recorder is attached.
    private volatile Recorder recorder;
    private volatile FlightRing ring;
    private volatile ThreadPoolExecutor snapshotThread;

    private static final class Trigger {
        final String type;
        final long thresholdNanos; // -1: on error
        final SnapshotSink sink;

        Trigger(String type, long thresholdNanos, SnapshotSink sink) {
            this.type = type;
            this.thresholdNanos = thresholdNanos;
            this.sink = sink;
        }

        boolean matches(TaskEnd t, long latency, String outcome) {
            if (type != null && !type.equals(t.type())) {
                return false;
            }
            return thresholdNanos < 0 ? !"ok".equals(outcome) : latency >= thresholdNanos;
        }
    }

    /**
     * @param minAge how far back snapshots reach at least, from 1 ms
     * @param maxBytes the most bytes of trace kept, at least 64 KiB
     * @throws IllegalArgumentException if a bound is out of range
     */
    public FlightRecorder(Duration minAge, long maxBytes) {
        Objects.requireNonNull(minAge, "minAge");
        if (minAge.toMillis() < 1) {
            throw new IllegalArgumentException("minAge must be at least 1 ms, was " + minAge);
        }
        if (maxBytes < 64 * 1024) {
            throw new IllegalArgumentException("maxBytes must be at least 64 KiB, was " + maxBytes);
        }
        this.minAgeNanos = minAge.toNanos();
        this.maxBytes = maxBytes;
    }

    /** @return the running flight recorder, or null */
    public static FlightRecorder running() {
        return Recordings.flight();
    }

    /**
     * Sets the recording options used if this flight recorder starts the recording.
     * If a {@link Trace#start} recording is already on with other options,
     * {@link #start} refuses; without this call it joins any recording as it is.
     *
     * @param options the options
     * @return this
     */
    public FlightRecorder withOptions(TraceOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Sets the least time between two triggered snapshots.
     *
     * @param interval from 0 (no limit)
     * @return this
     */
    public FlightRecorder withSnapshotInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("snapshot interval must not be negative, was " + interval);
        }
        this.snapshotIntervalNanos = interval.toNanos();
        return this;
    }

    /**
     * Snapshots when a task of {@code taskType} ends at least {@code threshold} after it
     * was created.
     *
     * @param taskType the task type, or null for any
     * @param threshold the latency that makes a task slow
     * @param sink where snapshots go
     * @return this
     */
    public FlightRecorder snapshotWhen(String taskType, Duration threshold, SnapshotSink sink) {
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("threshold must not be negative, was " + threshold);
        }
        triggers.add(new Trigger(taskType, threshold.toNanos(), Objects.requireNonNull(sink, "sink")));
        return this;
    }

    /**
     * Snapshots when a task of {@code taskType} ends with an outcome other than
     * {@code "ok"} (an exception class, {@code "cancelled"}, an HTTP status...).
     *
     * @param taskType the task type, or null for any
     * @param sink where snapshots go
     * @return this
     */
    public FlightRecorder snapshotOnError(String taskType, SnapshotSink sink) {
        triggers.add(new Trigger(taskType, -1, Objects.requireNonNull(sink, "sink")));
        return this;
    }

    /**
     * Starts keeping the last {@code minAge}.
     *
     * @throws IllegalStateException if a flight recorder is already running, or a
     *                               {@code Trace.start} recording is on with other options than
     *                               {@link #withOptions} asked for
     */
    public void start() {
        ThreadPoolExecutor t = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1),
                r -> {
                    Thread th = new Thread(r, "asynctrace-flight-snapshots");
                    th.setDaemon(true);
                    return th;
                }, (task, executor) -> suppressed.incrementAndGet()); // a snapshot is still being written
        try {
            Recordings.startFlight(this, options, maxBytes, minAgeNanos);
        } catch (RuntimeException e) {
            t.shutdown(); // a refused start leaves a running recorder's own snapshot thread alone
            throw e;
        }
        snapshotThread = t; // a trigger firing before this is counted as suppressed
        if (!isRunning() && snapshotThread == t) {
            snapshotThread = null; // stopped in between: detached() saw no thread to shut down
            t.shutdown();
        }
    }

    /** Called by {@link Recordings} under its lock once the ring is attached. */
    void attached(Recorder r, FlightRing kept) {
        recorder = r;
        ring = kept;
        TaskEndListeners.add(triggerListener);
    }

    /** Called by {@link Recordings} under its lock when this flight recorder stops or its recording ended. */
    void detached() {
        TaskEndListeners.remove(triggerListener);
        recorder = null;
        ring = null;
        ThreadPoolExecutor t = snapshotThread;
        snapshotThread = null;
        if (t != null) {
            // A snapshot being written completes (not interrupted: an interrupt closes a
            // FileChannel mid-write); one still queued is not written, and counts as suppressed.
            java.util.List<Runnable> queued = new java.util.ArrayList<>();
            t.getQueue().drainTo(queued);
            suppressed.addAndGet(queued.size());
            t.shutdown();
        }
    }

    /** Stops keeping events and drops what was kept. Idempotent. */
    public void stop() {
        Recordings.stopFlight(this);
    }

    /** @return whether this flight recorder is running */
    public boolean isRunning() {
        return ring != null;
    }

    /**
     * Writes what is kept, up to this moment, as a complete trace.
     *
     * @param out where the trace goes; flushed, not closed
     * @return bytes written
     * @throws IOException if writing to {@code out} fails
     * @throws IllegalStateException if this flight recorder is not running, or stops
     *                               before the kept segments were taken
     */
    public long writeTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        Recorder r = recorder;
        FlightRing kept = ring;
        if (r == null || kept == null) {
            throw new IllegalStateException("the flight recorder is not running");
        }
        Recordings.flushFlight(r);
        return kept.writeTo(out); // copies the list under the ring's lock, writes outside any lock
    }

    /** @return bytes of trace kept now */
    public long retainedBytes() {
        FlightRing kept = ring;
        return kept == null ? 0 : kept.bytes();
    }

    /** @return snapshots written by triggers */
    public long snapshotsWritten() {
        return snapshots.get();
    }

    /** @return triggered snapshots skipped by the snapshot interval */
    public long snapshotsSuppressed() {
        return suppressed.get();
    }

    /** @return triggered snapshots that could not be written */
    public long snapshotsFailed() {
        return failed.get();
    }

    /** Called on the thread that ends a task while this flight recorder is fed. */
    private void onTaskEnd(TaskEnd t) {
        long latency = t.endNanos() - t.startNanos();
        for (Trigger trigger : triggers) {
            if (trigger.matches(t, latency, t.outcome())) {
                fire(trigger, t);
                return;
            }
        }
    }

    private void fire(Trigger trigger, TaskEnd t) {
        long now = System.nanoTime();
        long last = lastSnapshot.get();
        if ((last != Long.MIN_VALUE && now - last < snapshotIntervalNanos) || !lastSnapshot.compareAndSet(last, now)) {
            suppressed.incrementAndGet();
            return;
        }
        ThreadPoolExecutor executor = snapshotThread;
        if (executor == null || executor.isShutdown()) {
            suppressed.incrementAndGet(); // starting or stopping: no snapshot thread to write it
            return;
        }
        String name = "asynctrace-" + STAMP.format(Instant.now()) + "-" + safe(t.type()) + "-task" + t.id() + ".trace";
        try {
            executor.execute(() -> snapshot(trigger.sink, name));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            suppressed.incrementAndGet(); // stopped in between
        }
    }

    private void snapshot(SnapshotSink sink, String name) {
        Recorder r = recorder;
        FlightRing kept = ring;
        if (r == null || kept == null) {
            suppressed.incrementAndGet(); // stopped before its turn: no file
            return;
        }
        FlightRing.Entry[] segments;
        try {
            Recordings.flushFlight(r);
            segments = kept.kept(); // before the output exists: a stop in between leaves no file
        } catch (IllegalStateException e) {
            suppressed.incrementAndGet(); // stopped before its turn: no file
            return;
        }
        try (OutputStream out = sink.open(name)) {
            kept.write(segments, out);
            snapshots.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "asynctrace: flight recorder snapshot " + name + " failed: " + e);
        }
    }

    private static String safe(String type) {
        String s = type.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.length() > 40 ? s.substring(0, 40) : s;
    }
}
