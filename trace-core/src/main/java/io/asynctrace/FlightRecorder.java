package io.asynctrace;

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
 *       a {@link Trace#start} recording: both are fed by one recording (the one
 *       started first sets the {@link TraceOptions}). Events reach the flight
 *       recorder in segments, at least every flush interval.</li>
 *   <li>It keeps whole segments: at least those covering the last {@code minAge},
 *       but never more than {@code maxBytes} plus the newest segment;
 *       {@code maxBytes} wins when the two disagree.</li>
 *   <li>{@link #writeTo} first writes out every event recorded before the call, then
 *       writes a complete trace (header, segments, a final segment). Concurrent calls
 *       are serialised: each gets its own complete snapshot.</li>
 *   <li>Triggers run when a task of the named type (or any type, for {@code null})
 *       ends slower than a threshold, or not {@code "ok"}: a snapshot containing the
 *       task is written to the sink on the flight recorder's own thread, at most one
 *       per {@linkplain #withSnapshotInterval snapshot interval} (default 10 s); the
 *       others are counted as suppressed. A task longer than what is kept is only
 *       partly in its snapshot. Triggers never block or throw into the thread that
 *       ends the task.</li>
 * </ul>
 */
public final class FlightRecorder {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static volatile FlightRecorder running;

    private final long minAgeNanos;
    private final long maxBytes;
    private volatile TraceOptions options = TraceOptions.defaults();
    private volatile long snapshotIntervalNanos = TimeUnit.SECONDS.toNanos(10);
    private final List<Trigger> triggers = new CopyOnWriteArrayList<>();
    private final AtomicLong lastSnapshot = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Object writeLock = new Object();

    // Guarded by Trace's lock through start/stop.
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

        boolean matches(Task t, long latency, String outcome) {
            if (type != null && !type.equals(t.type)) {
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
        return running;
    }

    /**
     * Sets the recording options used if this flight recorder starts the recording (if
     * a {@link Trace#start} recording is already on, it keeps its own).
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
     * @throws IllegalStateException if a flight recorder is already running
     */
    public void start() {
        synchronized (FlightRecorder.class) {
            if (running != null) {
                throw new IllegalStateException("a flight recorder is already running: stop it first");
            }
            ring = new FlightRing(maxBytes, minAgeNanos);
            ThreadPoolExecutor t = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1),
                    r -> {
                        Thread th = new Thread(r, "asynctrace-flight-snapshots");
                        th.setDaemon(true);
                        return th;
                    }, (task, executor) -> suppressed.incrementAndGet()); // a snapshot is still being written
            snapshotThread = t;
            recorder = Trace.attachFlight(this, ring, options);
            running = this;
        }
    }

    /** Stops keeping events and drops what was kept. Idempotent. */
    public void stop() {
        synchronized (FlightRecorder.class) {
            if (running != this) {
                return;
            }
            running = null;
            Trace.detachFlight(recorder);
            snapshotThread.shutdown();
            recorder = null;
            ring = null;
        }
    }

    /** @return whether this flight recorder is running */
    public boolean isRunning() {
        return running == this;
    }

    /**
     * Writes what is kept, up to this moment, as a complete trace.
     *
     * @param out where the trace goes; flushed, not closed
     * @return bytes written
     * @throws IOException if writing to {@code out} fails
     * @throws IllegalStateException if this flight recorder is not running
     */
    public long writeTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        synchronized (writeLock) {
            Recorder r = recorder;
            FlightRing kept = ring;
            if (r == null || kept == null || running != this) {
                throw new IllegalStateException("the flight recorder is not running");
            }
            r.writer.flush();
            return kept.writeTo(out, r);
        }
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
    void onTaskEnd(Task t, long endNanos, String outcome) {
        long latency = endNanos - t.createdNanos;
        for (Trigger trigger : triggers) {
            if (trigger.matches(t, latency, outcome)) {
                fire(trigger, t);
                return;
            }
        }
    }

    private void fire(Trigger trigger, Task t) {
        long now = System.nanoTime();
        long last = lastSnapshot.get();
        if ((last != Long.MIN_VALUE && now - last < snapshotIntervalNanos) || !lastSnapshot.compareAndSet(last, now)) {
            suppressed.incrementAndGet();
            return;
        }
        ThreadPoolExecutor executor = snapshotThread;
        if (executor == null || executor.isShutdown()) {
            return;
        }
        String name = "asynctrace-" + STAMP.format(Instant.now()) + "-" + safe(t.type) + "-task" + t.id + ".trace";
        executor.execute(() -> snapshot(trigger.sink, name));
    }

    private void snapshot(SnapshotSink sink, String name) {
        try (OutputStream out = sink.open(name)) {
            writeTo(out);
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
