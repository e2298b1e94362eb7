package io.asynctrace;

import io.asynctrace.internal.TaskEnd;
import io.asynctrace.internal.TaskEndListener;
import io.asynctrace.internal.TaskEndListeners;
import io.asynctrace.internal.format.Wire;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A logical operation (an order, an HTTP request) that may run on many threads: the
 * spans and logs recorded while it is current, on any thread, belong to it.
 *
 * <p>Create one with {@link Trace#newTask(String)}; it becomes the child of the task
 * current on the creating thread. Make it current where work on its behalf runs,
 * and end it once:
 * <pre>{@code
 * try (Task order = Trace.newTask("order");
 *      Scope scope = order.makeCurrent()) {
 *     Trace.withSpan("brew", () -> brew(cup));
 * } // closing the task ends it; its latency is creation to end
 * }</pre>
 *
 * <p>A task exists even while tracing is off: one created before {@link Trace#start}
 * and ended during a recording appears in that trace with its true creation time.
 * Task types should be few (a handful per service, like Go's task types); put
 * per-instance values in {@link #attr attributes} or logs. Methods never throw into
 * the caller; {@code null} strings are recorded as {@code "null"}.
 */
public final class Task implements AutoCloseable {
    private static final VarHandle ENDED;
    private static final VarHandle RECORDED_EPOCH;
    private static final VarHandle KEPT;
    private static final VarHandle ATTRIBUTES_IN_FLIGHT;

    /**
     * The most distinct attribute keys a task keeps for the begins it gets again in outputs
     * attached after them ({@link EarlierBegin}); attributes of further keys are recorded
     * as usual but not kept, and an output that gets such a task's earlier begin counts
     * one dropped event per such key (exact for up to {@value #MAX_CUT_KEYS} of them, one
     * per call with a key past those).
     */
    static final int MAX_KEPT_ATTRIBUTES = 16;
    /** Keys not kept that a task remembers, to count each once. */
    static final int MAX_CUT_KEYS = 16;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ENDED = l.findVarHandle(Task.class, "ended", int.class);
            RECORDED_EPOCH = l.findVarHandle(Task.class, "recordedEpoch", int.class);
            KEPT = l.findVarHandle(Task.class, "kept", KeptAttributes.class);
            ATTRIBUTES_IN_FLIGHT = l.findVarHandle(Task.class, "attributesInFlight", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long id;
    final long parentId;
    final String type;
    final long createdNanos;
    /**
     * The newest recording epoch whose sinks have (or are sure to get) this task's begin
     * event (0: none). Epochs only grow, JVM-wide, so this only moves forward, except back
     * to what it was when a claimed begin is dropped. Read plainly on the hot path (a stale
     * value only sends a thread to {@link #claimBegin}); changed only through
     * {@link #claimBegin}/{@link #unclaimBegin} or by the creating thread before publication.
     */
    int recordedEpoch;
    /** The stack id of this task's begin in recording {@link #beginStackRecording} (stacks on), else -1. */
    private int beginStack = -1;
    private int beginStackRecording;
    @SuppressWarnings("unused") // accessed through ENDED
    private volatile int ended;
    /** The attributes recorded on this task while recording, made at the first; or null. */
    @SuppressWarnings("unused") // accessed through KEPT
    private volatile KeptAttributes kept;
    /**
     * {@link #attr} calls on this task from before they read the recording's epoch until
     * their value is kept (and queued apart if need be): see {@link #recordAttribute}.
     */
    @SuppressWarnings("unused") // accessed through ATTRIBUTES_IN_FLIGHT
    private volatile int attributesInFlight;
    /** The root of this task's tree (its own id for a root task); set by the creating thread before publication. */
    long rootId;
    /** The OpenTelemetry trace its tree joined at {@link Trace#newTask}, or null; set before publication. */
    String otelTraceId;
    /** For a root task created under an OpenTelemetry span: that span's id, else null; set before publication. */
    String otelParentSpanId;

    Task(long id, long parentId, String type, long createdNanos) {
        this.id = id;
        this.parentId = parentId;
        this.type = type;
        this.createdNanos = createdNanos;
    }

    /** @return the epoch this task's begin last went out in (0: none), read with acquire semantics */
    int knownBegin() {
        return (int) RECORDED_EPOCH.getVolatile(this);
    }

    /**
     * Claims the begin event of this task for recording epoch {@code epoch}, if its begin
     * last went out in {@code known}: the caller queued that begin before (so no other
     * thread sees the new value before the begin is queued).
     *
     * @return whether this caller won: exactly one of the callers that saw {@code known} does
     */
    boolean claimBegin(int known, int epoch) {
        return RECORDED_EPOCH.compareAndSet(this, known, epoch);
    }

    /**
     * Undoes a claim at {@code epoch} whose begin was dropped (unless a newer claim came
     * since): back to {@code known}, so the task's next event tries again.
     *
     * @return whether it was undone (false: a newer claim came since)
     */
    boolean unclaimBegin(int epoch, int known) {
        return RECORDED_EPOCH.compareAndSet(this, epoch, known);
    }

    /** The creating thread, before publication: its begin's stack id in recording {@code recording}. */
    void beginStack(int recording, int stack) {
        beginStackRecording = recording;
        beginStack = stack;
    }

    /** @return the stack id of this task's begin in recording {@code recording}, else -1 (none) */
    int beginStack(int recording) {
        return beginStackRecording == recording ? beginStack : -1;
    }

    /**
     * Keeps an attribute recorded on this task under epoch {@code recorded}, for an output
     * that gets its begin later (see {@link #MAX_KEPT_ATTRIBUTES} and {@link KeptAttributes}):
     * made at its first attribute; a value set again allocates nothing (a value longer than
     * the recorder keeps is cut).
     *
     * @return {@link #knownBegin()} once it is kept
     */
    int keep(String key, String value, int recorded) {
        KeptAttributes k = kept;
        if (k == null) {
            k = new KeptAttributes();
            if (!KEPT.compareAndSet(this, null, k)) {
                k = kept;
            }
        }
        return k.keep(this, key, io.asynctrace.internal.format.Codec.cutString(value, Wire.MAX_NAME_CHARS), recorded);
    }

    /**
     * A copy of what is kept now, for the earlier begin a thread claims (after its claim:
     * see {@link KeptAttributes}); null if nothing is: a task without attributes takes no lock.
     */
    KeptAttributes.Snapshot keptAttributes() {
        KeptAttributes k = kept;
        return k == null ? null : k.snapshot();
    }

    /** @return how many keys this task keeps or counts as cut now (see {@link KeptAttributes#keys}); allocates nothing */
    int keptKeys() {
        KeptAttributes k = kept;
        return k == null ? 0 : k.keys();
    }

    /** @return this task's id, unique in this JVM */
    public long id() {
        return id;
    }

    /** @return the id of the task this one was created under, or 0 */
    public long parentId() {
        return parentId;
    }

    /** @return when this task was created, {@code System.nanoTime()} clock */
    public long startNanos() {
        return createdNanos;
    }

    /** @return the task type given at creation */
    public String type() {
        return type;
    }

    /** @return whether {@link #end} has been called */
    public boolean isEnded() {
        return ended != 0;
    }

    /**
     * Makes this the current task of the calling thread until the returned scope is
     * closed. Spans begun inside the scope start a fresh nesting under this task.
     *
     * @return the scope to close, on this thread
     */
    public Scope makeCurrent() {
        ThreadState st = ThreadState.current();
        TaskScope scope = new TaskScope(st, st.task, st.span, this);
        st.task = this;
        st.span = 0;
        return scope;
    }

    /** Ends this task with outcome {@code "ok"}. Only the first end counts. */
    public void end() {
        end("ok");
    }

    /**
     * Ends this task with an outcome: {@code "ok"}, an exception class name,
     * {@code "cancelled"}, an HTTP status. Outcomes, like types, should be few. Only
     * the first end counts: later calls do nothing.
     *
     * @param outcome how the task ended
     */
    public void end(String outcome) {
        end(outcome, null);
    }

    /** {@link #end(String)} on a thread whose state the caller has ({@code st}), or null to look it up. */
    void end(String outcome, ThreadState st) {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            return;
        }
        Recorder r = Recorder.active;
        if (r != null) {
            long ts = System.nanoTime();
            String o = String.valueOf(outcome);
            r.taskEnd(st != null ? st : ThreadState.current(), ts, this, o);
            TaskEndListener[] listeners = TaskEndListeners.current();
            if (listeners.length != 0) {
                notifyEnd(listeners, r, ts, o);
            }
        }
    }

    private void notifyEnd(TaskEndListener[] listeners, Recorder r, long ts, String outcome) {
        TaskEnd e = new TaskEnd(id, parentId, rootId, type, createdNanos, ts, outcome, Thread.currentThread().getName(),
                otelTraceId, otelParentSpanId, r.wallBase, r.base);
        for (TaskEndListener l : listeners) {
            try {
                l.onTaskEnd(e);
            } catch (RuntimeException | LinkageError | StackOverflowError failure) {
                // a listener's failure is its own: counted, and the application and the other listeners go on
                TaskEndListeners.failed();
            }
        }
    }

    /** Same as {@link #end()}, for try-with-resources. */
    @Override
    public void close() {
        end();
    }

    /**
     * Records a key/value attribute of this task (a customer tier, a route). Keep
     * keys few; values are cut at {@value Wire#MAX_NAME_CHARS} chars. While recording,
     * the task also keeps the latest value of each of its first 16 keys, so that an
     * output attached later (a file, a flight recorder, a live exporter) gets them with
     * the task's begin; it holds them (values cut as recorded) as long as the task is referenced.
     *
     * @param key the attribute name
     * @param value its value
     * @return this task
     */
    public Task attr(String key, String value) {
        Recorder r = Recorder.active;
        if (r != null) {
            String k = String.valueOf(key);
            String v = String.valueOf(value);
            recordAttribute(r, ThreadState.current(), System.nanoTime(), k, v);
        }
        return this;
    }

    /**
     * Records an attribute of this task and keeps it ({@link #attr}'s work, also
     * {@code Trace.newTask}'s for the OpenTelemetry ids). Recorded first: an earlier begin
     * this call claims carries the value the task had before it. Counted in
     * {@link #attributesInFlight} from before the event reads the recording's epoch until the
     * value is kept or queued apart ({@link #keepRecorded}): a thread that claims the task's
     * earlier begin meanwhile, without the value, marks that begin so that the detach of an
     * output that gets it waits for this call, or counts the value lost to the output
     * ({@link EarlierBegins#awaitKeeps}).
     */
    void recordAttribute(Recorder r, ThreadState st, long ts, String key, String value) {
        ATTRIBUTES_IN_FLIGHT.getAndAdd(this, 1); // before the epoch read: see EarlierBegins.begin
        st.attributing = this; // a claim this call makes does not count the call itself
        try {
            int epoch = r.attribute(st, ts, false, id, this, key, value);
            java.util.function.Consumer<Task> hook = recordedForTest;
            if (hook != null) {
                hook.accept(this);
            }
            keepRecorded(r, st, ts, epoch, key, value);
        } finally {
            st.attributing = null;
            ATTRIBUTES_IN_FLIGHT.getAndAdd(this, -1); // after the value is kept or queued apart
        }
    }

    /** For tests: told, on the calling thread, between the two halves of each {@link #recordAttribute}. */
    static volatile java.util.function.Consumer<Task> recordedForTest;

    /** @return how many {@link #recordAttribute} calls on this task are under way (see there) */
    int attributesInFlight() {
        return (int) ATTRIBUTES_IN_FLIGHT.getVolatile(this);
    }

    /** For tests: {@link #recordAttribute}'s count, as a thread in the middle of it holds it. */
    void attributeInFlightForTest(int delta) {
        ATTRIBUTES_IN_FLIGHT.getAndAdd(this, delta);
    }

    /**
     * The second half of {@link #attr}: keeps the attribute its first half recorded under
     * {@code epoch}. If meanwhile another thread claimed the task's begin for a newer epoch
     * (its earlier begin took the attributes kept before this one), the outputs attached in
     * between get it queued apart ({@link EarlierBegins#attribute}): they take no event of
     * {@code epoch}, and no later claim misses it.
     */
    void keepRecorded(Recorder r, ThreadState st, long ts, int epoch, String key, String value) {
        int known = keep(key, value, epoch);
        if (known > epoch) {
            r.earlierBegins.attribute(st, this, ts, epoch, known, key, value);
        }
    }

    /**
     * Begins a span of this task that is not tied to the calling thread: it does not
     * become the thread's current span and may end on any thread. This is what
     * reactive adapters use for an interval from subscription to terminal signal.
     *
     * @param name the span name; keep names few
     * @return the span, or a shared no-op span while tracing is off
     */
    public Span startSpan(String name) {
        Recorder r = Recorder.active;
        if (r == null) {
            return Span.NOOP;
        }
        ThreadState st = ThreadState.current();
        long sid = st.newId();
        r.spanBegin(st, System.nanoTime(), sid, 0, this, String.valueOf(name));
        return new Span(r, sid, 0, null);
    }

    /**
     * Records a log message on this task from the calling thread, whatever task is
     * current there.
     *
     * @param category the category; keep categories few
     * @param message free text, cut at {@value Wire#MAX_MESSAGE_CHARS} chars
     */
    public void log(String category, String message) {
        Recorder r = Recorder.active;
        if (r != null) {
            r.log(ThreadState.current(), System.nanoTime(), this, String.valueOf(category), String.valueOf(message));
        }
    }

    @Override
    public String toString() {
        return "Task[" + type + " #" + id + "]";
    }

    private static final class TaskScope implements Scope {
        private final ThreadState st;
        private final Task previous;
        private final long previousSpan;
        private final Task task;
        private boolean closed;

        TaskScope(ThreadState st, Task previous, long previousSpan, Task task) {
            this.st = st;
            this.previous = previous;
            this.previousSpan = previousSpan;
            this.task = task;
        }

        /** Restores on the opening thread; closing elsewhere or twice is misuse and changes nothing. */
        @Override
        public void close() {
            ThreadState here = ThreadState.current();
            boolean misnested;
            if (here != st || closed) {
                misnested = true;
            } else {
                closed = true;
                misnested = st.task != task;
                st.task = previous;
                st.span = previousSpan;
            }
            if (misnested) {
                Recorder r = Recorder.active;
                if (r != null) {
                    r.misuse(here, System.nanoTime(), Wire.MISUSE_SCOPE_MISNESTED, task.id,
                            "scope of " + task + " closed twice, on another thread, or out of order");
                }
            }
        }
    }
}
