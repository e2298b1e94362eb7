package io.asynctrace;

import static io.asynctrace.internal.format.Codec.refSize;

import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.Wire;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One recording: its string table, its buffers and the encoders of every event
 * kind. Application threads call the event methods; {@link SegmentWriter} drains
 * full buffers on its own thread.
 *
 * <p>Every event method is called with a {@link ThreadState} of the calling thread
 * and a timestamp read after {@link Recorder#active} was seen to be this recorder. An event
 * is encoded into the thread's leased buffer or, in shared mode, into a locked
 * stripe; if no buffer can be had it is dropped and counted, never waited for.
 */
final class Recorder {
    /**
     * The recording in progress, or null: the one field every disabled call reads. Only
     * {@link Recordings} writes it, under its lock; it lives here so that the event path
     * (Trace, Task, Span, this class) never names the lifecycle's owner.
     */
    static volatile Recorder active;

    private static final AtomicInteger EPOCHS = new AtomicInteger();
    /** Room for any fixed-size event. */
    private static final int FIXED = EventEncoder.FIXED;

    /** A JVM-wide unique number of this recording, for threads to tell whether their state is bound to it. */
    final int serial = EPOCHS.incrementAndGet();
    /**
     * The current epoch, read once per event: the event goes into a buffer of that epoch
     * and to the sinks attached at or before it; a task whose {@code recordedEpoch} is
     * older gets its begin queued for the sinks that lack it ({@link EarlierBegins}). A new one starts when a sink
     * is attached mid-way (see {@link SegmentWriter}'s Assumptions and guarantees).
     */
    volatile int epoch = EPOCHS.incrementAndGet();
    final long base;
    final long wallBase;
    final TraceOptions options;
    /** Frames per stack of asynctrace's own events; 0: none (the hot path only reads this). */
    private final int stackDepth;

    /** Names, types, keys: appended by any thread, read by the writer thread. */
    final StringTable strings;

    // Buffers.
    final ConcurrentLinkedQueue<Buffer> full = new ConcurrentLinkedQueue<>();
    /** Begins of tasks met again in a new epoch, for the writer to give the outputs that lack them. */
    final EarlierBegins earlierBegins = new EarlierBegins(this);
    final ConcurrentLinkedQueue<Buffer> free = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<ThreadState> leases = new ConcurrentLinkedQueue<>();
    /** Stolen buffers their owners are done with, for the writer thread to recycle. */
    final ConcurrentLinkedQueue<Buffer> retired = new ConcurrentLinkedQueue<>();
    final AtomicInteger leased = new AtomicInteger();
    final Stripe[] stripes;
    private final AtomicInteger allocated = new AtomicInteger();
    final AtomicLong dropped = new AtomicLong();
    /** Buffers handed off since the writer was last woken by a hand-off; see {@link #handOff}. */
    private final AtomicInteger sinceWake = new AtomicInteger();
    private final int wakeEvery;

    /** Frames and stacks of the events that carry one. */
    final StackTable stacks = new StackTable(this);
    final SegmentWriter writer;

    /**
     * @param options the recording's options
     * @param onWriterFailure told on the writer thread if it fails (the recording then has ended)
     */
    Recorder(TraceOptions options, java.util.function.Consumer<Recorder> onWriterFailure) {
        this.options = options;
        this.wakeEvery = Math.max(1, options.maxBuffers() / 8);
        this.stackDepth = options.stackDepth();
        this.strings = new StringTable(options.maxStringTableBytes());
        this.wallBase = System.currentTimeMillis() * 1_000_000L;
        this.base = System.nanoTime();
        int n = Math.max(4, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 2 - 1) << 1);
        // A power of two: threads pick a stripe with a mask.
        this.stripes = new Stripe[Integer.highestOneBit(Math.min(n, Math.max(2, options.maxBuffers() / 4)))];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
        this.writer = new SegmentWriter(this, () -> onWriterFailure.accept(this));
    }

    // ---- tables ----------------------------------------------------------------------------

    /**
     * Lets the string and stack tables go once the recording ended (writer thread): a span
     * never ended, or an idle thread, still refers to this recorder, and must not keep
     * what every name of the recording took. Names interned afterwards are written inline.
     */
    void releaseTables() {
        strings.release();
        stacks.release();
    }

    // ---- buffers ------------------------------------------------------------------------------

    /** Gives {@code st} a buffer of its own if the lease budget allows. */
    boolean lease(ThreadState st) {
        if (leased.incrementAndGet() > options.maxThreadBuffers()) {
            leased.decrementAndGet();
            return false;
        }
        leases.add(st);
        return true;
    }

    /**
     * Returns a buffer of events written under {@code epoch} with {@code need} bytes of room,
     * positioned in a batch of {@code st}'s thread, or null (dropped). A buffer of another
     * epoch is handed off first: a buffer's bytes go to the sinks of its one epoch.
     */
    private Buffer acquire(ThreadState st, long ts, int need, int epoch) {
        if (!st.shared) {
            Buffer b = st.buffer;
            if (b != null && b.remaining() >= need && b.owned() && b.epoch == epoch) {
                return b;
            }
            return refill(st, b, ts, need, epoch);
        }
        return lockStripe(st, ts, need, epoch);
    }


    /**
     * A leased thread's slow path: hands {@code old} off (or re-emits its tail after a
     * steal) and takes a fresh buffer. Flagged in {@link ThreadState#refilling} while it
     * runs: in between, a buffer of this thread's is in none of the places the writer
     * looks ({@link ThreadState#buffer}, {@link #full}): the writer's closing sweep waits
     * that out, or reads it where the thread holds it ({@link ThreadState#swapped}).
     */
    private Buffer refill(ThreadState st, Buffer old, long ts, int need, int epoch) {
        st.swapped = old;
        st.refilling = true;
        try {
            return swap(st, old, ts, need, epoch);
        } finally {
            st.refilling = false;
            st.swapped = null; // after: the writer reads it only while it sees refilling set, and re-checks that
        }
    }

    private Buffer swap(ThreadState st, Buffer old, long ts, int need, int epoch) {
        st.buffer = null;
        if (old != null && !handOff(old)) {
            // The writer thread took the committed part of old: carry on from where it cut.
            Buffer b = resume(st, old);
            if (b != null) {
                st.swapped = b; // old's tail is in b now: b is what this thread holds (and may hand off below)
            }
            try {
                if (b != null && b.remaining() >= need && b.epoch == epoch) {
                    st.buffer = b;
                    return b;
                }
                if (b != null) {
                    handOff(b);
                }
            } finally {
                retired.offer(old); // only now: until this thread's swap ends, the writer may read old (ThreadState.swapped)
            }
        }
        Buffer b = takeFree();
        if (b == null || batchRoom(st) + need > b.data.length) {
            if (b != null) {
                free.offer(b);
            } else {
                writer.wake(); // out of buffers: let the writer recycle the full ones now
            }
            dropped.incrementAndGet();
            return null;
        }
        b.epoch = epoch;
        b.holder = st;
        writeBatchHeader(b, st, ts);
        st.buffer = b;
        return b;
    }

    /**
     * The owner's side of a steal: re-emits the events past the cut into a fresh buffer
     * behind a BATCH_RESUME header. Returns that buffer, or null when there was nothing
     * to re-emit or no buffer to put it in (the events are then counted as dropped); the
     * caller retires {@code old}.
     */
    private Buffer resume(ThreadState st, Buffer old) {
        Buffer b = null;
        // The writer thread took [0, stolenAt), and [stolenAt, tailEnd) too if it claimed the tail.
        boolean ours = old.claimTail();
        int from = ours ? old.stolenAt : old.tailEnd;
        int tailEvents = old.events - (ours ? old.stolenEvents : old.tailEndEvents);
        if (old.pos > from) {
            b = takeFree();
            Resume.State state = Resume.stateAt(old, from);
            int tail = old.pos - from;
            if (b == null || EventEncoder.batchRoom(st.nameRef, st.name) + tail > b.data.length) {
                if (b != null) {
                    free.offer(b);
                    b = null;
                }
                dropped.addAndGet(tailEvents);
            } else {
                int p = Resume.header(b.data, 0, st, state.ts() - base, state.lastId(), state.lastTask());
                b.headerEnd = p;
                b.baseTs = state.ts();
                b.baseId = state.lastId();
                b.baseTask = state.lastTask();
                System.arraycopy(old.data, from, b.data, p, tail);
                b.pos = p + tail;
                b.events = tailEvents;
                b.lastTs = old.lastTs;
                b.lastId = old.lastId;
                b.lastTask = old.lastTask;
                b.batchThread = st.threadId;
                b.epoch = old.epoch; // the re-emitted events keep the sinks they were written for
                b.holder = st;
                b.commit();
            }
        }
        return b; // old is retired by the caller
    }

    /** How many times a thread tries the stripes' locks before it drops its event (and counts it). */
    static final int STRIPE_TRIES = 1 << 12;

    /** Locks a free stripe, trying each in turn at most {@link #STRIPE_TRIES} times in all; -1: none was free. */
    private int lockAny(int first, Thread thread) {
        Stripe[] ss = stripes;
        int i = first & (ss.length - 1);
        for (int tries = 0; tries < STRIPE_TRIES; tries++) {
            if (ss[i].tryLock(thread)) {
                return i;
            }
            i = (i + 1) & (ss.length - 1);
            if (tries >= ss.length) {
                Thread.onSpinWait();
            }
        }
        return -1;
    }

    private Buffer lockStripe(ThreadState st, long ts, int need, int epoch) {
        int i = lockAny(st.stripe, st.thread);
        if (i < 0) {
            dropped.incrementAndGet(); // every stripe stayed busy (or a holder died): drop, never spin forever
            return null;
        }
        Stripe s = stripes[i];
        st.stripe = i; // stay where the lock was free: threads spread over the stripes
        try {
            return fillStripe(st, s, ts, need, epoch);
        } catch (RuntimeException | Error e) {
            s.unlock(); // an Error here (out of memory for a buffer) must not leave the stripe locked
            throw e;
        }
    }

    /** With {@code s} locked: its buffer of {@code epoch}, with room for {@code need} in a batch of {@code st}'s thread, or null. */
    private Buffer fillStripe(ThreadState st, Stripe s, long ts, int need, int epoch) {
        Buffer b = s.buffer;
        int room = need + batchRoom(st);
        if (b == null || b.remaining() < room || b.epoch != epoch) {
            if (b != null) {
                s.buffer = null;
                handOff(b);
            }
            b = s.closed ? null : takeFree();
            if (b == null || room > b.data.length) {
                if (b != null) {
                    free.offer(b);
                }
                s.unlock();
                dropped.incrementAndGet();
                return null;
            }
            b.epoch = epoch;
            s.buffer = b;
        }
        if (b.batchThread != st.threadId) {
            writeBatchHeader(b, st, ts);
        }
        st.locked = s;
        return b;
    }

    private Buffer takeFree() {
        Buffer b = free.poll();
        if (b != null) {
            return b;
        }
        if (allocated.incrementAndGet() <= options.maxBuffers()) {
            return new Buffer(options.bufferSize());
        }
        allocated.decrementAndGet();
        return null;
    }

    /**
     * Gives a full buffer to the writer thread; false if the writer thread stole it first.
     * The writer is woken once per {@link #wakeEvery} hand-offs (and when no free buffer
     * is left), not at each: it wakes itself every few milliseconds anyway, and a wake-up
     * costs the application thread a system call.
     */
    private boolean handOff(Buffer b) {
        if (b.claim(Buffer.HANDED_OFF)) {
            full.offer(b);
            if (sinceWake.incrementAndGet() >= wakeEvery) {
                sinceWake.set(0); // racing threads may each wake it once: harmless
                writer.wake();
            }
            return true;
        }
        return false;
    }

    /** Called by the writer thread once a buffer's bytes are copied out. */
    void recycle(Buffer b) {
        b.reset();
        free.offer(b);
    }

    int allocatedBuffers() {
        return allocated.get();
    }

    private static int batchRoom(ThreadState st) {
        return EventEncoder.batchRoom(st.nameRef, st.name);
    }

    private void writeBatchHeader(Buffer b, ThreadState st, long ts) {
        ts = Math.max(ts, base); // a clock read just before the recording began counts from its base
        b.pos = EventEncoder.batch(b.data, b.pos, b, st.threadId, st.nameRef, st.name, ts - base, ts);
        b.headerEnd = b.pos;
        b.baseTs = ts;
        b.baseId = 0;
        b.baseTask = 0;
        b.batchThread = st.threadId;
    }

    // ---- events -------------------------------------------------------------------------------

    private ThreadState bound(ThreadState st) {
        if (st.boundTo != serial) {
            st.bind(this);
        }
        return st;
    }

    /**
     * Makes sure every sink that will get an event written under {@code epoch} has
     * {@code t}'s begin: queues it for the writer if the task's begin last went out in an
     * earlier epoch (see {@link EarlierBegin} and the class javadoc of {@link SegmentWriter}).
     */
    private void ensureTask(ThreadState st, Task t, int epoch) {
        if (t != null && t.recordedEpoch < epoch) {
            earlierBegins.begin(st, t, epoch);
        }
    }

    /** The calling thread's stack id for an event of its own, or {@link StackTable#NONE} with stacks off. */
    private int stack(ThreadState st) {
        if (stackDepth == 0) {
            return StackTable.NONE;
        }
        StackCapture c = st.stacks;
        if (c == null) {
            c = new StackCapture(stackDepth);
            st.stacks = c;
        }
        return c.capture(stacks);
    }

    /**
     * After an event begun at {@code at} in {@code b}: the event counted, or the delta state
     * back in step with the bytes if the encoder threw (an Error), then published and a
     * stripe unlocked. Called from a {@code finally}: an Error inside an event never leaves
     * a stripe locked.
     */
    private static void done(ThreadState st, Buffer b, int at) {
        b.commitEvent(at);
        if (st.shared) {
            st.locked.unlock();
            st.locked = null;
        }
    }

    /**
     * The begin of a task created while recording, under {@code epoch}, the epoch the
     * creator stored in its {@code recordedEpoch} (begins met again later: {@link EarlierBegins#begin}).
     */
    void taskBegin(ThreadState st, long ts, Task t, int epoch) {
        bound(st);
        int typeRef = st.ref(this, t.type);
        int stack = stack(st);
        t.beginStack(serial, stack);
        Buffer b = acquire(st, ts, FIXED + refSize(typeRef, t.type), epoch);
        if (b == null) {
            t.unclaimBegin(epoch, 0); // dropped: the task's next event writes its begin instead
            return;
        }
        int at = b.mark();
        try {
            b.pos = EventEncoder.taskBegin(b.data, b.pos, b, ts, t.id, t.parentId, typeRef, t.type, false,
                    ts - t.createdNanos, stack);
        } finally {
            done(st, b, at);
        }
    }

    void taskEnd(ThreadState st, long ts, Task t, String outcome) {
        bound(st);
        int e = epoch;
        ensureTask(st, t, e);
        int ref = st.ref(this, outcome);
        Buffer b = acquire(st, ts, FIXED + refSize(ref, outcome), e);
        if (b == null) {
            return;
        }
        int at = b.mark();
        try {
            b.pos = EventEncoder.taskEnd(b.data, b.pos, b, ts, t.id, ref, outcome);
        } finally {
            done(st, b, at);
        }
    }

    void spanBegin(ThreadState st, long ts, long id, long parent, Task t, String name) {
        bound(st);
        int e = epoch;
        ensureTask(st, t, e);
        int ref = st.ref(this, name);
        int stack = stack(st);
        Buffer b = acquire(st, ts, FIXED + refSize(ref, name), e);
        if (b == null) {
            return;
        }
        int at = b.mark();
        try {
            b.pos = EventEncoder.spanBegin(b.data, b.pos, b, ts, id, parent, t == null ? 0 : t.id, ref, name, stack);
        } finally {
            done(st, b, at);
        }
    }

    void spanEnd(ThreadState st, long ts, long id) {
        idEvent(st, ts, Wire.SPAN_END, id);
    }

    void jobQueued(ThreadState st, long ts, long job, Task t) {
        bound(st);
        int e = epoch;
        ensureTask(st, t, e);
        int stack = stack(st);
        Buffer b = acquire(st, ts, FIXED, e);
        if (b == null) {
            return;
        }
        int at = b.mark();
        try {
            b.pos = EventEncoder.jobQueued(b.data, b.pos, b, ts, job, t == null ? 0 : t.id, stack);
        } finally {
            done(st, b, at);
        }
    }

    /** SPAN_END, JOB_START and JOB_END: a time and an id. */
    void idEvent(ThreadState st, long ts, byte type, long id) {
        bound(st);
        Buffer b = acquire(st, ts, FIXED, epoch);
        if (b == null) {
            return;
        }
        int at = b.mark();
        try {
            b.pos = EventEncoder.idEvent(b.data, b.pos, b, type, ts, id);
        } finally {
            done(st, b, at);
        }
    }

    void log(ThreadState st, long ts, Task t, String category, String message) {
        bound(st);
        int e = epoch;
        ensureTask(st, t, e);
        int ref = st.ref(this, category);
        int n = Codec.cut(message, Wire.MAX_MESSAGE_CHARS);
        int stack = stack(st);
        Buffer b = acquire(st, ts, FIXED + refSize(ref, category) + Codec.maxStringBytes(n), e);
        if (b == null) {
            return;
        }
        int at = b.mark();
        try {
            b.pos = EventEncoder.log(b.data, b.pos, b, ts, t == null ? 0 : t.id, ref, category, message, n,
                    message.length(), stack);
        } finally {
            done(st, b, at);
        }
    }

    /** @return the epoch the attribute was written under (or dropped in) */
    int attribute(ThreadState st, long ts, boolean span, long id, Task t, String key, String value) {
        bound(st);
        int e = epoch;
        if (!span) {
            ensureTask(st, t, e);
        }
        int ref = st.ref(this, key);
        int n = Codec.cut(value, Wire.MAX_NAME_CHARS);
        Buffer b = acquire(st, ts, FIXED + refSize(ref, key) + Codec.maxStringBytes(n), e);
        if (b == null) {
            return e;
        }
        int at = b.mark();
        try {
            b.pos = EventEncoder.attribute(b.data, b.pos, b, ts, span, id, ref, key, value, n);
        } finally {
            done(st, b, at);
        }
        return e;
    }

    /** Records misuse; throws {@link IllegalStateException} afterwards in strict mode. */
    void misuse(ThreadState st, long ts, int kind, long id, String what) {
        if (Recorder.active == this) {
            bound(st);
            Buffer b = acquire(st, ts, FIXED, epoch);
            if (b != null) {
                int at = b.mark();
                try {
                    b.pos = EventEncoder.misuse(b.data, b.pos, b, ts, kind, id);
                } finally {
                    done(st, b, at);
                }
            }
        }
        if (options.strict()) {
            throw new IllegalStateException("asynctrace misuse: " + what);
        }
    }

    /**
     * Records a JVM runtime event that happened on another thread (the JFR bridge's
     * thread calls this): its own batch in a shared stripe, the name written inline.
     *
     * @param thread the thread it happened on (0: the JVM itself)
     * @param start when it began, {@code System.nanoTime()} clock
     */
    void runtimeEvent(long thread, String threadName, long start, long duration, int kind, long value, String detail) {
        runtimeEvent(thread, threadName, start, duration, kind, value, detail, StackTable.NONE);
    }

    void runtimeEvent(long thread, String threadName, long start, long duration, int kind, long value, String detail,
                      int stack) {
        int need = EventEncoder.batchRoom(0, threadName) + FIXED + Codec.refSize(0, detail);
        int i = lockAny((int) thread, Thread.currentThread());
        if (i < 0) {
            dropped.incrementAndGet();
            return;
        }
        Stripe s = stripes[i];
        Buffer b = null;
        int e = epoch;
        try {
            b = s.buffer;
            if (b == null || b.remaining() < need || b.epoch != e) {
                if (b != null) {
                    s.buffer = null;
                    handOff(b);
                }
                b = s.closed ? null : takeFree();
                if (b == null) {
                    dropped.incrementAndGet();
                    return;
                }
                b.epoch = e;
                s.buffer = b;
            }
            long ts = Math.max(start, base);
            int p = EventEncoder.batch(b.data, b.pos, b, thread, 0, threadName, ts - base, ts);
            b.pos = EventEncoder.runtime(b.data, p, b, ts, kind, duration, value, 0, detail, stack);
            b.events++;
            b.commit();
        } finally {
            if (b != null) {
                b.batchThread = -2; // whoever writes next starts a batch of their own (also after an Error here)
            }
            s.unlock();
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    private JfrBridge runtime;

    /** For tests: the JFR stream, or null. */
    JfrBridge runtimeForTest() {
        return runtime;
    }

    /** Starts a new epoch: see {@link #epoch}. */
    void newEpoch() {
        epoch = EPOCHS.incrementAndGet();
    }

    /** Starts the writer thread, then the JFR stream if runtime events are on. */
    void start() {
        writer.start();
        if (options.runtimeEvents() != null) {
            runtime = JfrBridge.start(this, options.runtimeEvents());
        }
    }

    /**
     * Ends the recording after {@code Recordings} stopped pointing at it: the JFR
     * stream's last events, then every buffer, go to the sinks, which are closed.
     */
    void finish() {
        stopRuntime(false);
        writer.finish();
    }

    /** Stops the JFR stream; {@code now}: without waiting for its last events (the writer is gone). */
    void stopRuntime(boolean now) {
        JfrBridge r = runtime;
        runtime = null;
        if (r != null) {
            if (now) {
                r.abort();
            } else {
                r.stop(); // its last events still go in
            }
        }
    }
}
