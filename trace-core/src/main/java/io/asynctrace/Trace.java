package io.asynctrace;

import io.asynctrace.internal.format.Wire;
import java.io.OutputStream;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The annotation API: tasks, spans and logs, and the switch that records them.
 *
 * <p>The model is Go's {@code runtime/trace}. A {@link Task} is one logical operation
 * that may run on many threads; a span is a named interval of work under the
 * current task (Go calls them regions); a log is a timestamped message. The current
 * task lives in a thread-local that Micrometer Context Propagation knows about
 * ({@link TaskThreadLocalAccessor}), so Reactor and {@code ContextSnapshot} carry it
 * across threads.
 *
 * <pre>{@code
 * Trace.start(Files.newOutputStream(Path.of("app.trace")));
 * try (Task order = Trace.newTask("order"); Scope s = order.makeCurrent()) {
 *     Trace.log("orderID", id);
 *     Cup cup = Trace.withSpan("brew", () -> brew(id));
 * }
 * Trace.stop();
 * }</pre>
 *
 * <p><b>Cost.</b> While tracing is off, {@link #log}, {@link #withSpan} and
 * {@link #startSpan} read one volatile field and return (a shared no-op span);
 * while on, an event is a clock read and a few bytes appended to a buffer the
 * thread owns, without locks or allocation. Events never block the application:
 * when the writer falls behind they are dropped and the drop is counted in the
 * trace. Nothing here throws into the application, except in strict mode
 * ({@link TraceOptions#withStrict}); {@code null} names are recorded as
 * {@code "null"}.
 */
public final class Trace {
    private Trace() {
    }

    /**
     * Starts recording into {@code out}, or, if a {@link FlightRecorder} is recording
     * already, attaches {@code out} to its recording as it is (its options apply).
     *
     * @param out where the trace is written; flushed, never closed, by {@link #stop()}
     * @throws IllegalStateException if a {@code Trace.start} output is already attached
     */
    public static void start(OutputStream out) {
        Objects.requireNonNull(out, "out");
        Recordings.startFile(out, null, true);
    }

    /**
     * Starts recording into {@code out}. A thread of the recording owns {@code out}
     * until {@link #stop()} returns; an {@code IOException} from it detaches it (see
     * {@link RecordingStats#failure()}: {@code stop()} returns it and {@code start}
     * works again), it is not thrown at any caller. If a {@link FlightRecorder} is
     * recording already, {@code out} is attached to that recording: it gets what is
     * recorded from now on, every task seen in it with its begin, and drops counted
     * from now on.
     *
     * @param out where the trace is written; flushed, never closed, by {@link #stop()}
     * @param options buffer sizing and strictness
     * @throws IllegalStateException if a {@code Trace.start} output is already attached, or a flight
     *                               recorder is recording with other options (they cannot change while it
     *                               runs: pass the same, or use {@link #start(OutputStream)})
     * @throws NullPointerException if an argument is null
     */
    public static void start(OutputStream out, TraceOptions options) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(options, "options");
        Recordings.startFile(out, options, false);
    }

    /**
     * Starts recording into {@code out} with {@code options}, or, if a recording is
     * running already (a {@link FlightRecorder}'s: trace taps keep none running),
     * attaches {@code out} to it as it is (its options apply, not {@code options}), in one
     * step: unlike asking {@link FlightRecorder#running()} first, a flight recorder
     * stopping in between cannot make this start with other options. For a debug endpoint
     * that takes a trace beside whatever runs.
     *
     * <p>{@link #start(OutputStream)} is this with the default options, except that it
     * tells nothing of which happened. While a recording this call started runs, a
     * {@link FlightRecorder} whose {@code withOptions} asks for other options is refused
     * ({@link IllegalStateException}), as for every recording.
     * <pre>{@code
     * if (!Trace.startOrJoin(out, TraceOptions.defaults().withStackDepth(16))) {
     *     log("joined the running recording: its options apply, not mine");
     * }
     * }</pre>
     *
     * @param out where the trace is written; flushed, never closed, by {@link #stop()}
     * @param options the options of a recording this starts
     * @return true if it started a recording with {@code options}; false if it joined the
     *     running one with that recording's options
     * @throws IllegalStateException if a {@code Trace.start} output is already attached, or the
     *                               recording ended as {@code out} was attached
     * @throws NullPointerException if an argument is null
     */
    public static boolean startOrJoin(OutputStream out, TraceOptions options) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(options, "options");
        return Recordings.startFile(out, options, true);
    }

    /**
     * Stops recording into the {@link #start} output: returns once every buffered
     * event is written and the output flushed (a flight recorder goes on recording).
     * Events emitted by other threads while {@code stop} runs may or may not be in
     * the trace. Idempotent.
     *
     * @return what the output got; if none is attached, the figures of the last one (also one that failed)
     */
    public static RecordingStats stop() {
        return Recordings.stopFile();
    }

    /**
     * Writes out every event recorded before this call and flushes the output, so a
     * reader of the output sees them; blocks until then, at most 10 seconds in all (a
     * stream that stays blocked longer, or threads that keep shared buffers locked, do not
     * hold the caller forever). Events other threads emit while it runs may or may not be
     * included. Do not call it on an event loop: it waits for the output. With only a
     * flight recorder running, "the output" is its ring.
     *
     * @return true once written with nothing lost; false if tracing is off, the recording ended
     *     (stopped, or its output failed) first, it did not complete within the bound, a
     *     shared buffer stayed locked by its thread (its events are not written yet), or
     *     events were dropped (counted in the output) since the previous flush, so some
     *     recorded before this call may be missing
     */
    public static boolean flush() {
        return Recordings.flushFile(java.util.concurrent.TimeUnit.SECONDS.toNanos(FLUSH_TIMEOUT_SECONDS));
    }

    /** The longest {@link #flush} waits for the output (in its javadoc). */
    private static final int FLUSH_TIMEOUT_SECONDS = 10;

    /** @return whether a recording is in progress (for a {@code Trace.start} output, a flight recorder, or both) */
    public static boolean isEnabled() {
        return Recorder.active != null;
    }

    /**
     * Creates a task, the child of the calling thread's current task if there is one.
     * A task is created (and can be ended) even while tracing is off.
     *
     * @param type the task type, such as {@code "order"}; keep types few
     * @return the new task, not yet current
     */
    public static Task newTask(String type) {
        ThreadState st = ThreadState.current();
        return newTask(st, type, st.task);
    }

    /**
     * Creates a task with an explicit parent, whatever task is current: for adapters
     * that keep the parent elsewhere (a Reactor {@code Context}, a request).
     *
     * @param type the task type; keep types few
     * @param parent the parent task, or null for a root task
     * @return the new task, not yet current
     */
    public static Task newTask(String type, Task parent) {
        return newTask(ThreadState.current(), type, parent);
    }

    static Task newTask(ThreadState st, String type, Task parent) {
        long ts = System.nanoTime();
        Task t = new Task(st.newId(), parent == null ? 0 : parent.id, String.valueOf(type), ts);
        Recorder r = Recorder.active;
        if (parent != null) {
            t.rootId = parent.rootId;
            t.otelTraceId = parent.otelTraceId;
        } else {
            t.rootId = t.id;
        }
        if (r != null) {
            int epoch = r.epoch;
            t.recordedEpoch = epoch; // the begin written now reaches exactly the sinks of this epoch
            r.taskBegin(st, ts, t, epoch);
            if (parent == null && OtelSpans.PRESENT) {
                joinOtelSpan(r, st, t);
            }
        }
        return t;
    }

    /**
     * A root task created while an OpenTelemetry span is current joins it: the attributes an
     * incoming {@code traceparent} gives ({@code trace.id}, {@code trace.parent_id}), so that
     * exported, it nests under the application's own span.
     */
    private static void joinOtelSpan(Recorder r, ThreadState st, Task t) {
        String[] span = OtelSpans.current();
        if (span != null) {
            t.otelTraceId = span[0];
            t.otelParentSpanId = span[1];
            long now = System.nanoTime();
            t.recordAttribute(r, st, now, "trace.id", span[0]);
            t.recordAttribute(r, st, now, "trace.parent_id", span[1]);
        }
    }

    /** @return the calling thread's current task, or null */
    public static Task currentTask() {
        return ThreadState.current().task;
    }

    /**
     * Runs {@code body} as a span of the current task on this thread.
     *
     * @param name the span name; keep names few
     * @param body the work; its exceptions propagate after the span ends
     */
    public static void withSpan(String name, Runnable body) {
        Recorder r = Recorder.active;
        if (r == null) {
            body.run();
            return;
        }
        ThreadState st = ThreadState.current();
        long parent = st.span;
        long id = beginSync(r, st, name, parent);
        try {
            body.run();
        } finally {
            endSync(r, st, id, parent);
        }
    }

    /**
     * Computes a value as a span of the current task on this thread.
     *
     * @param name the span name; keep names few
     * @param body the work; its exceptions propagate after the span ends
     * @param <T> the result type
     * @return what {@code body} returned
     */
    public static <T> T withSpan(String name, Supplier<T> body) {
        Recorder r = Recorder.active;
        if (r == null) {
            return body.get();
        }
        ThreadState st = ThreadState.current();
        long parent = st.span;
        long id = beginSync(r, st, name, parent);
        try {
            return body.get();
        } finally {
            endSync(r, st, id, parent);
        }
    }

    private static long beginSync(Recorder r, ThreadState st, String name, long parent) {
        long id = st.newId();
        r.spanBegin(st, System.nanoTime(), id, parent, st.task, String.valueOf(name));
        st.span = id;
        return id;
    }

    private static void endSync(Recorder r, ThreadState st, long id, long parent) {
        long ts = System.nanoTime();
        st.span = parent;
        if (Recorder.active == r) {
            r.spanEnd(st, ts, id);
        }
    }

    /**
     * Begins a span of the current task that becomes the thread's current span until
     * it ends; it may end on another thread. Prefer {@link #withSpan} where the work
     * is one block of code.
     *
     * @param name the span name; keep names few
     * @return the span to end, or a shared no-op span while tracing is off
     */
    public static Span startSpan(String name) {
        Recorder r = Recorder.active;
        if (r == null) {
            return Span.NOOP;
        }
        ThreadState st = ThreadState.current();
        long parent = st.span;
        long id = st.newId();
        r.spanBegin(st, System.nanoTime(), id, parent, st.task, String.valueOf(name));
        st.span = id;
        return new Span(r, id, parent, st);
    }

    /**
     * Begins a span that belongs to no task and is not tied to the calling thread: it
     * does not become the thread's current span and may end on any thread. For
     * reactive adapters that find no task; see also {@link Task#startSpan}.
     *
     * @param name the span name; keep names few
     * @return the span, or a shared no-op span while tracing is off
     */
    public static Span startDetachedSpan(String name) {
        Recorder r = Recorder.active;
        if (r == null) {
            return Span.NOOP;
        }
        ThreadState st = ThreadState.current();
        long id = st.newId();
        r.spanBegin(st, System.nanoTime(), id, 0, null, String.valueOf(name));
        return new Span(r, id, 0, null);
    }

    /**
     * Records a message on the current task (if any) and thread.
     *
     * @param category the category, such as {@code "orderID"}; keep categories few
     * @param message free text, cut at {@value Wire#MAX_MESSAGE_CHARS} chars (the cut is recorded)
     */
    public static void log(String category, String message) {
        Recorder r = Recorder.active;
        if (r == null) {
            return;
        }
        ThreadState st = ThreadState.current();
        r.log(st, System.nanoTime(), st.task, String.valueOf(category), String.valueOf(message));
    }

    /**
     * For executor adapters: records that a job was queued on behalf of the current
     * task, so the tool can tell time waiting for a thread from time running.
     * Pass the returned id to {@link #jobStarted} and {@link #jobFinished} on the
     * thread that runs the job.
     *
     * @return the job id, or 0 while tracing is off
     */
    public static long jobQueued() {
        Recorder r = Recorder.active;
        if (r == null) {
            return 0;
        }
        ThreadState st = ThreadState.current();
        long job = st.newId();
        r.jobQueued(st, System.nanoTime(), job, st.task);
        return job;
    }

    /**
     * For adapters: like {@link #jobQueued()}, for a job that works for {@code task}
     * rather than the calling thread's current task (a future stage fired by the
     * thread that completed its source).
     *
     * @param task the task the job works for, or null
     * @return the job id, or 0 while tracing is off
     */
    public static long jobQueued(Task task) {
        Recorder r = Recorder.active;
        if (r == null) {
            return 0;
        }
        ThreadState st = ThreadState.current();
        long job = st.newId();
        r.jobQueued(st, System.nanoTime(), job, task);
        return job;
    }

    /**
     * For executor adapters: the job {@code job} started running on this thread.
     *
     * @param job an id from {@link #jobQueued()}; 0 does nothing
     */
    public static void jobStarted(long job) {
        Recorder r = Recorder.active;
        if (r != null && job != 0) {
            r.idEvent(ThreadState.current(), System.nanoTime(), Wire.JOB_START, job);
        }
    }

    /**
     * For executor adapters: the job {@code job} finished (normally or not) on this thread.
     *
     * @param job an id from {@link #jobQueued()}; 0 does nothing
     */
    public static void jobFinished(long job) {
        Recorder r = Recorder.active;
        if (r != null && job != 0) {
            r.idEvent(ThreadState.current(), System.nanoTime(), Wire.JOB_END, job);
        }
    }
}
