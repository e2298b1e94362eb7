package io.asynctrace.reader;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The latency breakdown of one task: where its time went. The one home of the rule that
 * {@code asynctrace tasks} prints and the OpenTelemetry export sends as attributes.
 *
 * <p>The task's lifetime (begin to end, or to the end of the trace if it never ended) is
 * split in three: <b>running</b> is the union of the intervals in which a job of the task
 * ran on a thread (job started to finished) and of its spans that began and ended on one
 * thread; <b>queued</b> is the time a job of the task waited for a thread (queued to
 * started) while nothing of the task was running; <b>other</b> is the rest: waiting on
 * I/O, a timer or a dependency.
 *
 * <p>JVM runtime events are measured on their own ({@link #runtime}): a thread-bound event
 * (park, monitor enter, sleep, pinning, socket read or write) counts by the time it overlaps
 * the intervals in which the task ran on that thread — its jobs' started → finished on the
 * running thread, its spans begun and ended on that thread, and the task's own begin → end
 * when it began and ended on one thread — clipped to the task's begin → end. A GC pause
 * counts for the task by its overlap with begin → end. Sums are per event: events on two
 * threads at once both count, and they overlap running/queued/other.
 *
 * <p>Feed it the task's jobs, spans and (optionally) its own threads, then read the
 * figures. Not thread-safe.
 *
 * <pre>{@code
 * TaskBreakdown b = new TaskBreakdown(task.start(), task.end());
 * b.job(queued, started, finished, runThread);
 * b.span(span.start(), span.end(), span.startThread(), span.endThread());
 * long running = b.running();
 * }</pre>
 */
public final class TaskBreakdown {
    private final long start;
    private final long end;
    private final Intervals run = new Intervals();
    private final Intervals wait = new Intervals();
    private final Map<Long, Intervals> ranOn = new HashMap<>();
    private long running = -1;
    private long queued;
    private long blocked;
    private long socket;
    private long gc;

    /**
     * @param start the task's begin (or the trace's start when unknown)
     * @param end its end (or the trace's last event when it never ended)
     */
    public TaskBreakdown(long start, long end) {
        this.start = start;
        this.end = Math.max(start, end);
    }

    /**
     * Adds a job run for the task.
     *
     * @param queued when it was queued, or -1 if unknown
     * @param started when it started, or -1 if it did not
     * @param finished when it finished, or -1 if it did not
     * @param runThread the thread that ran it (meaningful when started)
     */
    public void job(long queued, long started, long finished, long runThread) {
        running = -1;
        if (started >= 0) {
            long to = finished >= 0 ? finished : end;
            run.add(started, to);
            ranOn.computeIfAbsent(runThread, k -> new Intervals()).add(started, to);
            if (queued >= 0) {
                wait.add(queued, started);
            }
        } else if (queued >= 0) {
            wait.add(queued, end);
        }
    }

    /**
     * Adds an ended span of the task; only spans begun and ended on one thread count as running.
     *
     * @param from its begin
     * @param to its end
     * @param thread the thread it began on
     * @param endThread the thread it ended on
     */
    public void span(long from, long to, long thread, long endThread) {
        if (thread == endThread) {
            running = -1;
            run.add(from, to);
            ranOn.computeIfAbsent(thread, k -> new Intervals()).add(from, to);
        }
    }

    /**
     * Records that the task began and ended on {@code thread}: its whole begin → end counts as
     * running on that thread for runtime events (not for {@link #running}).
     *
     * @param thread the thread it began and ended on
     */
    public void ranWholeOn(long thread) {
        ranOn.computeIfAbsent(thread, k -> new Intervals()).add(start, end);
    }

    /** @return the task's duration, end minus start */
    public long duration() {
        return end - start;
    }

    /** @return running time, ns */
    public long running() {
        compute();
        return running;
    }

    /** @return time queued for a thread while nothing of the task ran, ns */
    public long queued() {
        compute();
        return queued;
    }

    /** @return the rest of the duration, ns */
    public long other() {
        compute();
        return Math.max(0, duration() - running - queued);
    }

    private void compute() {
        if (running >= 0) {
            return;
        }
        running = run.measure(start, end);
        Intervals both = new Intervals();
        both.addAll(wait);
        both.addAll(run);
        queued = both.measure(start, end) - running;
    }

    /**
     * Attributes one runtime event to the task, by the rule above, and adds it to the sums.
     *
     * @param e the event
     * @param sameProcess for a GC pause, whether it happened in the task's JVM (in a merged trace, only then it counts)
     * @return the time of it that counts, or -1 when it does not count for this task
     */
    public long runtime(RuntimeInfo e, boolean sameProcess) {
        if (!attributed(e.kind())) {
            return -1;
        }
        long from = Math.max(start, e.time());
        long to = Math.min(end, e.end());
        if (to < from || (to == from && e.duration() > 0)) {
            return -1;
        }
        if (e.kind() == RuntimeKind.GC_PAUSE) {
            if (!sameProcess) {
                return -1;
            }
            gc += to - from;
            return to - from;
        }
        Intervals on = ranOn.get(e.thread());
        if (on == null) {
            return -1;
        }
        long overlap = on.measure(from, to);
        if (overlap == 0 && (e.duration() > 0 || on.measure(from, from + 1) == 0)) {
            return -1;
        }
        if (socket(e.kind())) {
            socket += overlap;
        } else {
            blocked += overlap;
        }
        return overlap;
    }

    /** @return time blocked (park, monitor enter, sleep, pinning) from the events given to {@link #runtime}, ns */
    public long blocked() {
        return blocked;
    }

    /** @return time in socket reads and writes from the events given to {@link #runtime}, ns */
    public long socket() {
        return socket;
    }

    /** @return time in GC pauses from the events given to {@link #runtime}, ns */
    public long gc() {
        return gc;
    }

    /** @return whether the kind counts as blocked time: park, monitor enter, sleep, virtual-thread pinning */
    public static boolean blocking(RuntimeKind kind) {
        return kind == RuntimeKind.THREAD_PARK || kind == RuntimeKind.MONITOR_ENTER
                || kind == RuntimeKind.THREAD_SLEEP || kind == RuntimeKind.VIRTUAL_THREAD_PINNED;
    }

    /** @return whether the kind counts as socket I/O */
    public static boolean socket(RuntimeKind kind) {
        return kind == RuntimeKind.SOCKET_READ || kind == RuntimeKind.SOCKET_WRITE;
    }

    /** @return whether the breakdown attributes the kind to tasks (blocking, socket I/O, GC pauses) */
    public static boolean attributed(RuntimeKind kind) {
        return blocking(kind) || socket(kind) || kind == RuntimeKind.GC_PAUSE;
    }

    /**
     * In a merged trace, whose JVM threads are named {@code LABEL:JVM}, a GC pause counts only
     * for tasks begun on a thread of the same label.
     *
     * @param jvmThreadName the name of the GC pause's thread
     * @param taskBeginThreadName the name of the thread the task began on, or null if unknown
     * @return whether the pause happened in the task's JVM
     */
    public static boolean sameProcess(String jvmThreadName, String taskBeginThreadName) {
        if (jvmThreadName == null || !jvmThreadName.endsWith(":JVM") || taskBeginThreadName == null) {
            return true;
        }
        String label = jvmThreadName.substring(0, jvmThreadName.length() - "JVM".length());
        return taskBeginThreadName.startsWith(label);
    }

    /** A set of half-open time intervals; measures their union within a window. */
    private static final class Intervals {
        private long[] starts = new long[8];
        private long[] ends = new long[8];
        private int n;

        void add(long from, long to) {
            if (to <= from) {
                return;
            }
            if (n == starts.length) {
                starts = Arrays.copyOf(starts, n * 2);
                ends = Arrays.copyOf(ends, n * 2);
            }
            starts[n] = from;
            ends[n] = to;
            n++;
        }

        void addAll(Intervals other) {
            for (int i = 0; i < other.n; i++) {
                add(other.starts[i], other.ends[i]);
            }
        }

        /** @return the length of the union of the intervals, clipped to {@code [from, to)} */
        long measure(long from, long to) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(starts[a], starts[b]));
            long total = 0;
            long curStart = 0;
            long curEnd = Long.MIN_VALUE;
            for (int k = 0; k < n; k++) {
                long s = Math.max(from, starts[order[k]]);
                long e = Math.min(to, ends[order[k]]);
                if (e <= s) {
                    continue;
                }
                if (s > curEnd) {
                    if (curEnd > curStart) {
                        total += curEnd - curStart;
                    }
                    curStart = s;
                    curEnd = e;
                } else if (e > curEnd) {
                    curEnd = e;
                }
            }
            if (curEnd > curStart) {
                total += curEnd - curStart;
            }
            return total;
        }
    }
}
