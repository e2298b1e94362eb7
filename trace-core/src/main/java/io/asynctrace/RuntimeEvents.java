package io.asynctrace;

import java.time.Duration;
import java.util.Objects;

/**
 * Which JVM runtime events a recording takes from JDK Flight Recorder, and from what
 * duration on: pass to {@link TraceOptions#withRuntimeEvents}.
 *
 * <pre>{@code
 * Trace.start(out, TraceOptions.defaults().withRuntimeEvents(
 *         RuntimeEvents.defaults().withBlockingThreshold(Duration.ofMillis(5))));
 * }</pre>
 *
 * <p>Recorded: every GC pause (on a pseudo-thread 0, "JVM") and the heap used after
 * each GC; thread park, monitor enter and {@code Thread.sleep} longer than the
 * blocking threshold; socket reads and writes longer than the socket threshold;
 * virtual threads pinned longer than the blocking threshold (Java 21+); thread
 * start and end. Each lands on the thread it happened on, its JFR timestamp
 * converted to the trace's clock (the offset between JFR's clock and
 * {@code System.nanoTime()} is measured during the recording). JFR's own losses
 * are recorded. Where JDK Flight Recorder is missing or cannot start, tracing goes
 * on and the trace says why runtime events are absent. Blocking, socket and pinning
 * events carry the waiting thread's stack ({@link #withStackDepth}, 64 frames by default). JFR delivers events about
 * once a second: with runtime events on, {@code Trace.stop()} waits (at most 5 s)
 * until the last ones arrived.
 */
public final class RuntimeEvents {
    /** Frames kept per runtime event stack unless {@link #withStackDepth} says otherwise. */
    public static final int DEFAULT_STACK_DEPTH = 64;
    private static final RuntimeEvents DEFAULTS = new RuntimeEvents(Duration.ofMillis(10), Duration.ofMillis(10), true,
            DEFAULT_STACK_DEPTH);

    private final Duration blockingThreshold;
    private final Duration socketThreshold;
    private final boolean threadLifecycle;
    private final int stackDepth;

    private RuntimeEvents(Duration blockingThreshold, Duration socketThreshold, boolean threadLifecycle,
                          int stackDepth) {
        this.blockingThreshold = blockingThreshold;
        this.socketThreshold = socketThreshold;
        this.threadLifecycle = threadLifecycle;
        this.stackDepth = stackDepth;
    }

    /** @return GC, heap, thread start and end; blocking and socket I/O from 10 ms on */
    public static RuntimeEvents defaults() {
        return DEFAULTS;
    }

    /**
     * @param threshold the least park, monitor-enter, sleep or pinning worth recording
     * @return a copy with that threshold
     */
    public RuntimeEvents withBlockingThreshold(Duration threshold) {
        return new RuntimeEvents(check(threshold), socketThreshold, threadLifecycle, stackDepth);
    }

    /**
     * @param threshold the least socket read or write worth recording
     * @return a copy with that threshold
     */
    public RuntimeEvents withSocketThreshold(Duration threshold) {
        return new RuntimeEvents(blockingThreshold, check(threshold), threadLifecycle, stackDepth);
    }

    /**
     * @param on whether to record thread start and end
     * @return a copy with that setting
     */
    public RuntimeEvents withThreadLifecycle(boolean on) {
        return new RuntimeEvents(blockingThreshold, socketThreshold, on, stackDepth);
    }

    /**
     * Returns a copy that keeps up to {@code frames} frames of the stack JDK Flight
     * Recorder takes with each thread park, monitor enter, sleep, socket read or write
     * and pinning (the stack of the thread that waited: what {@code asynctrace profile}
     * attributes the waiting to). 0 records these events without stacks. JFR itself
     * takes at most its own {@code stackdepth} frames (64 unless the JVM runs with
     * {@code -XX:FlightRecorderOptions:stackdepth=N}); a stack cut by either bound is
     * marked cut.
     *
     * @param frames the most frames per stack, from 0 (none) to {@value TraceOptions#MAX_STACK_DEPTH};
     *               default {@value #DEFAULT_STACK_DEPTH}
     * @return a copy with that depth
     * @throws IllegalArgumentException if {@code frames} is out of range
     */
    public RuntimeEvents withStackDepth(int frames) {
        if (frames < 0 || frames > TraceOptions.MAX_STACK_DEPTH) {
            throw new IllegalArgumentException("stackDepth must be between 0 and " + TraceOptions.MAX_STACK_DEPTH
                    + ", was " + frames);
        }
        return new RuntimeEvents(blockingThreshold, socketThreshold, threadLifecycle, frames);
    }

    /** @return the most frames kept per runtime event stack; 0: none */
    public int stackDepth() {
        return stackDepth;
    }

    /** @return the least blocking recorded */
    public Duration blockingThreshold() {
        return blockingThreshold;
    }

    /** @return the least socket I/O recorded */
    public Duration socketThreshold() {
        return socketThreshold;
    }

    /** @return whether thread start and end are recorded */
    public boolean threadLifecycle() {
        return threadLifecycle;
    }

    private static Duration check(Duration d) {
        Objects.requireNonNull(d, "threshold");
        if (d.isNegative()) {
            throw new IllegalArgumentException("threshold must not be negative, was " + d);
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuntimeEvents r && blockingThreshold.equals(r.blockingThreshold)
                && socketThreshold.equals(r.socketThreshold) && threadLifecycle == r.threadLifecycle;
    }

    @Override
    public int hashCode() {
        return Objects.hash(blockingThreshold, socketThreshold, threadLifecycle);
    }

    @Override
    public String toString() {
        return "RuntimeEvents[blocking>=" + blockingThreshold.toMillis() + "ms, socket>=" + socketThreshold.toMillis()
                + "ms, threads=" + threadLifecycle + ", stackDepth=" + stackDepth + "]";
    }
}
