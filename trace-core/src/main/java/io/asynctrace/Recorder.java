package io.asynctrace;

import static io.asynctrace.Encoding.MAX_VARINT;
import static io.asynctrace.Encoding.putRef;
import static io.asynctrace.Encoding.putString;
import static io.asynctrace.Encoding.putVar;
import static io.asynctrace.Encoding.putZig;
import static io.asynctrace.Encoding.refSize;

import io.asynctrace.internal.Wire;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One recording: its string table, its buffers and the encoders of every event
 * kind. Application threads call the event methods; {@link SegmentWriter} drains
 * full buffers on its own thread.
 *
 * <p>Every event method is called with a {@link ThreadState} of the calling thread
 * and a timestamp read after {@link #active} was seen to be this recorder. An event
 * is encoded into the thread's leased buffer or, in shared mode, into a locked
 * stripe; if no buffer can be had it is dropped and counted, never waited for.
 */
final class Recorder {
    /** The recording in progress, or null: the one flag every disabled call reads. */
    static volatile Recorder active;

    private static final AtomicInteger EPOCHS = new AtomicInteger();
    /** Room for any fixed-size event: type byte plus five varints, rounded up. */
    private static final int FIXED = 1 + 6 * MAX_VARINT;

    final int epoch = EPOCHS.incrementAndGet();
    final long base;
    final long wallBase;
    final TraceOptions options;

    // String table: ids 1..stringCount. Appended under the lock, read by the writer thread.
    private final ConcurrentHashMap<String, Integer> stringIds = new ConcurrentHashMap<>();
    private volatile String[] strings = new String[256];
    private volatile int stringCount;

    // Buffers.
    final ConcurrentLinkedQueue<Buffer> full = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Buffer> free = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<ThreadState> leases = new ConcurrentLinkedQueue<>();
    /** Stolen buffers their owners are done with, for the writer thread to recycle. */
    final ConcurrentLinkedQueue<Buffer> retired = new ConcurrentLinkedQueue<>();
    final AtomicInteger leased = new AtomicInteger();
    final Stripe[] stripes;
    private final AtomicInteger allocated = new AtomicInteger();
    final AtomicLong dropped = new AtomicLong();

    final SegmentWriter writer;
    /** The flight recorder fed by this recording, or null: read by {@link Task#end} for its triggers. */
    volatile FlightRecorder flight;

    /** @param out the Trace.start output, or null for a flight-recorder-only recording */
    Recorder(OutputStream out, TraceOptions options) {
        this.options = options;
        this.wallBase = System.currentTimeMillis() * 1_000_000L;
        this.base = System.nanoTime();
        int n = Math.max(4, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 2 - 1) << 1);
        // A power of two: threads pick a stripe with a mask.
        this.stripes = new Stripe[Integer.highestOneBit(Math.min(n, Math.max(2, options.maxBuffers() / 4)))];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
        this.writer = new SegmentWriter(this, out);
    }

    // ---- strings ----------------------------------------------------------------------------

    /** Returns the id of {@code s} in the table, adding it if there is room, or 0 when the table is full. */
    int intern(String s) {
        Integer id = stringIds.get(s);
        if (id != null) {
            return id;
        }
        synchronized (stringIds) {
            id = stringIds.get(s);
            if (id != null) {
                return id;
            }
            int n = stringCount;
            if (n + 1 >= Wire.MAX_STRINGS) {
                return 0;
            }
            String[] table = strings;
            if (n + 1 >= table.length) {
                table = java.util.Arrays.copyOf(table, table.length * 2);
            }
            String kept = s.length() > Wire.MAX_NAME_CHARS ? s.substring(0, Encoding.cut(s, Wire.MAX_NAME_CHARS)) : s;
            table[n + 1] = kept;
            strings = table;
            stringCount = n + 1; // publishes table[n + 1]
            stringIds.put(s, n + 1);
            return n + 1;
        }
    }

    int stringCount() {
        return stringCount;
    }

    String[] strings() {
        return strings;
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

    /** Returns a buffer with {@code need} bytes of room positioned in a batch of {@code st}'s thread, or null (dropped). */
    private Buffer acquire(ThreadState st, long ts, int need) {
        if (!st.shared) {
            Buffer b = st.buffer;
            if (b != null && b.remaining() >= need && b.owned()) {
                return b;
            }
            return refill(st, b, ts, need);
        }
        return lockStripe(st, ts, need);
    }

    private void release(ThreadState st, Buffer b) {
        b.commit();
        if (st.shared) {
            st.locked.unlock();
            st.locked = null;
        }
    }

    private Buffer refill(ThreadState st, Buffer old, long ts, int need) {
        st.buffer = null;
        if (old != null && !handOff(old)) {
            // The writer thread took the committed part of old: carry on from where it cut.
            Buffer b = resume(st, old);
            if (b != null && b.remaining() >= need) {
                st.buffer = b;
                return b;
            }
            if (b != null) {
                handOff(b);
            }
        }
        Buffer b = takeFree();
        if (b == null || batchRoom(st) + need > b.data.length) {
            if (b != null) {
                free.offer(b);
            }
            dropped.incrementAndGet();
            return null;
        }
        writeBatchHeader(b, st, ts);
        st.buffer = b;
        return b;
    }

    /**
     * The owner's side of a steal: re-emits the events past the cut into a fresh buffer
     * behind a BATCH_RESUME header. Returns that buffer, or null when there was nothing
     * to re-emit or no buffer to put it in (the events are then counted as dropped).
     */
    private Buffer resume(ThreadState st, Buffer old) {
        Buffer b = null;
        // The writer thread took [0, stolenAt), and [stolenAt, tailEnd) too if it claimed the tail.
        int from = old.claimTail() ? old.stolenAt : old.tailEnd;
        if (old.pos > from) {
            b = takeFree();
            long[] state = {old.baseTs, old.baseId, old.baseTask};
            Resume.walk(old.data, old.headerEnd, from, state);
            int tail = old.pos - from;
            if (b == null || Resume.HEADER + Encoding.refSize(st.nameRef, st.name) + tail > b.data.length) {
                if (b != null) {
                    free.offer(b);
                    b = null;
                }
                dropped.addAndGet(Resume.walk(old.data, from, old.pos, state));
            } else {
                int p = Resume.header(b.data, 0, st, state[0] - base, state[1], state[2]);
                b.headerEnd = p;
                b.baseTs = state[0];
                b.baseId = state[1];
                b.baseTask = state[2];
                System.arraycopy(old.data, from, b.data, p, tail);
                b.pos = p + tail;
                b.lastTs = old.lastTs;
                b.lastId = old.lastId;
                b.lastTask = old.lastTask;
                b.batchThread = st.threadId;
                b.commit();
            }
        }
        retired.offer(old);
        return b;
    }

    private Buffer lockStripe(ThreadState st, long ts, int need) {
        Stripe[] ss = stripes;
        int i = st.stripe & (ss.length - 1);
        Stripe s;
        for (int tries = 0; ; tries++) {
            s = ss[i];
            if (s.tryLock()) {
                break;
            }
            i = (i + 1) & (ss.length - 1);
            if (tries >= ss.length) {
                Thread.onSpinWait();
            }
        }
        st.stripe = i; // stay where the lock was free: threads spread over the stripes
        Buffer b = s.buffer;
        int room = need + batchRoom(st);
        if (b == null || b.remaining() < room) {
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

    /** Gives a full buffer to the writer thread; false if the writer thread stole it first. */
    private boolean handOff(Buffer b) {
        if (b.claim(Buffer.HANDED_OFF)) {
            full.offer(b);
            writer.wake();
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
        return 1 + 2 * MAX_VARINT + refSize(st.nameRef, st.name);
    }

    private void writeBatchHeader(Buffer b, ThreadState st, long ts) {
        byte[] d = b.data;
        int p = b.pos;
        d[p++] = Wire.BATCH;
        p = putVar(d, p, st.threadId);
        p = putRef(d, p, st.nameRef, st.name);
        ts = Math.max(ts, base); // a clock read just before the recording began counts from its base
        p = putVar(d, p, ts - base);
        b.pos = p;
        b.headerEnd = p;
        b.baseTs = ts;
        b.baseId = 0;
        b.baseTask = 0;
        b.lastTs = ts;
        b.lastId = 0;
        b.lastTask = 0;
        b.batchThread = st.threadId;
    }

    /** Writes the type byte and time delta of an event; returns the position after them. */
    private static int head(Buffer b, byte type, long ts) {
        byte[] d = b.data;
        int p = b.pos;
        d[p++] = type;
        long dt = ts - b.lastTs;
        if (dt > 0) {
            b.lastTs = ts;
        } else {
            dt = 0;
        }
        return putVar(d, p, dt);
    }

    // ---- events -------------------------------------------------------------------------------

    private ThreadState bound(ThreadState st) {
        if (st.recorder != this) {
            st.bind(this);
        }
        return st;
    }

    /** Makes sure the trace knows {@code t}: writes its begin now if this recording has not seen it. */
    private void ensureTask(ThreadState st, long ts, Task t) {
        if (t != null && t.recordedEpoch != epoch) {
            beginEarlier(st, ts, t);
        }
    }

    /** The cold path of {@link #ensureTask}: exactly one thread writes the task's begin into this recording. */
    private void beginEarlier(ThreadState st, long ts, Task t) {
        if (t.claimBegin(epoch)) {
            taskBegin(st, ts, t, true);
        }
    }

    void taskBegin(ThreadState st, long ts, Task t, boolean earlier) {
        bound(st);
        int typeRef = st.ref(t.type);
        Buffer b = acquire(st, ts, FIXED + refSize(typeRef, t.type));
        if (b == null) {
            return;
        }
        byte[] d = b.data;
        int p = head(b, earlier ? Wire.TASK_BEGIN_EARLIER : Wire.TASK_BEGIN, ts);
        p = putZig(d, p, t.id - b.lastTask);
        b.lastTask = t.id;
        p = putZig(d, p, t.parentId == 0 ? 0 : t.id - t.parentId);
        p = putRef(d, p, typeRef, t.type);
        if (earlier) {
            p = putVar(d, p, Math.max(0, ts - t.createdNanos));
        }
        b.pos = p;
        release(st, b);
    }

    void taskEnd(ThreadState st, long ts, Task t, String outcome) {
        bound(st);
        ensureTask(st, ts, t);
        int ref = st.ref(outcome);
        Buffer b = acquire(st, ts, FIXED + refSize(ref, outcome));
        if (b == null) {
            return;
        }
        byte[] d = b.data;
        int p = head(b, Wire.TASK_END, ts);
        p = putZig(d, p, t.id - b.lastTask);
        b.lastTask = t.id;
        p = putRef(d, p, ref, outcome);
        b.pos = p;
        release(st, b);
    }

    void spanBegin(ThreadState st, long ts, long id, long parent, Task t, String name) {
        bound(st);
        ensureTask(st, ts, t);
        int ref = st.ref(name);
        Buffer b = acquire(st, ts, FIXED + refSize(ref, name));
        if (b == null) {
            return;
        }
        long task = t == null ? 0 : t.id;
        byte[] d = b.data;
        int p = head(b, Wire.SPAN_BEGIN, ts);
        p = putZig(d, p, id - b.lastId);
        b.lastId = id;
        p = putZig(d, p, parent == 0 ? 0 : id - parent);
        p = putZig(d, p, task - b.lastTask);
        b.lastTask = task;
        p = putRef(d, p, ref, name);
        b.pos = p;
        release(st, b);
    }

    void spanEnd(ThreadState st, long ts, long id) {
        idEvent(st, ts, Wire.SPAN_END, id);
    }

    void jobQueued(ThreadState st, long ts, long job, Task t) {
        bound(st);
        ensureTask(st, ts, t);
        Buffer b = acquire(st, ts, FIXED);
        if (b == null) {
            return;
        }
        long task = t == null ? 0 : t.id;
        byte[] d = b.data;
        int p = head(b, Wire.JOB_QUEUED, ts);
        p = putZig(d, p, job - b.lastId);
        b.lastId = job;
        p = putZig(d, p, task - b.lastTask);
        b.lastTask = task;
        b.pos = p;
        release(st, b);
    }

    /** SPAN_END, JOB_START and JOB_END: a time and an id. */
    void idEvent(ThreadState st, long ts, byte type, long id) {
        bound(st);
        Buffer b = acquire(st, ts, FIXED);
        if (b == null) {
            return;
        }
        int p = head(b, type, ts);
        p = putZig(b.data, p, id - b.lastId);
        b.lastId = id;
        b.pos = p;
        release(st, b);
    }

    void log(ThreadState st, long ts, Task t, String category, String message) {
        bound(st);
        ensureTask(st, ts, t);
        int ref = st.ref(category);
        int n = Encoding.cut(message, Wire.MAX_MESSAGE_CHARS);
        Buffer b = acquire(st, ts, FIXED + refSize(ref, category) + Encoding.maxStringBytes(n));
        if (b == null) {
            return;
        }
        long task = t == null ? 0 : t.id;
        byte[] d = b.data;
        boolean cut = n < message.length();
        int p = head(b, cut ? Wire.LOG_CUT : Wire.LOG, ts);
        p = putZig(d, p, task - b.lastTask);
        b.lastTask = task;
        p = putRef(d, p, ref, category);
        p = putString(d, p, message, n);
        if (cut) {
            p = putVar(d, p, message.length());
        }
        b.pos = p;
        release(st, b);
    }

    void attribute(ThreadState st, long ts, boolean span, long id, Task t, String key, String value) {
        bound(st);
        if (!span) {
            ensureTask(st, ts, t);
        }
        int ref = st.ref(key);
        int n = Encoding.cut(value, Wire.MAX_NAME_CHARS);
        Buffer b = acquire(st, ts, FIXED + refSize(ref, key) + Encoding.maxStringBytes(n));
        if (b == null) {
            return;
        }
        byte[] d = b.data;
        int p = head(b, span ? Wire.SPAN_ATTR : Wire.TASK_ATTR, ts);
        if (span) {
            p = putZig(d, p, id - b.lastId);
            b.lastId = id;
        } else {
            p = putZig(d, p, id - b.lastTask);
            b.lastTask = id;
        }
        p = putRef(d, p, ref, key);
        p = putString(d, p, value, n);
        b.pos = p;
        release(st, b);
    }

    /** Records misuse; throws {@link IllegalStateException} afterwards in strict mode. */
    void misuse(ThreadState st, long ts, int kind, long id, String what) {
        if (active == this) {
            bound(st);
            Buffer b = acquire(st, ts, FIXED);
            if (b != null) {
                int p = head(b, Wire.MISUSE, ts);
                p = putVar(b.data, p, kind);
                p = putVar(b.data, p, id);
                b.pos = p;
                release(st, b);
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
        int n = Encoding.cut(threadName, Wire.MAX_NAME_CHARS);
        int d = Encoding.cut(detail, Wire.MAX_NAME_CHARS);
        int need = 2 * FIXED + Encoding.maxStringBytes(n) + Encoding.maxStringBytes(d);
        Stripe[] ss = stripes;
        Stripe s = ss[(int) (thread & (ss.length - 1))];
        s.lock(Long.MAX_VALUE);
        try {
            Buffer b = s.buffer;
            if (b == null || b.remaining() < need) {
                if (b != null) {
                    s.buffer = null;
                    handOff(b);
                }
                b = s.closed ? null : takeFree();
                if (b == null) {
                    dropped.incrementAndGet();
                    return;
                }
                s.buffer = b;
            }
            long ts = Math.max(start, base);
            byte[] data = b.data;
            int p = b.pos;
            data[p++] = Wire.BATCH;
            p = putVar(data, p, thread);
            data[p++] = 0;
            p = putString(data, p, threadName, n);
            p = putVar(data, p, ts - base);
            data[p++] = Wire.RUNTIME;
            data[p++] = 0; // time delta
            p = putVar(data, p, kind);
            p = putVar(data, p, Math.max(0, duration));
            p = putVar(data, p, Math.max(0, value));
            data[p++] = 0;
            p = putString(data, p, detail, d);
            b.pos = p;
            b.batchThread = -2; // whoever writes next starts a batch of their own
            b.commit();
        } finally {
            s.unlock();
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    private JfrBridge runtime;

    void startWriter() {
        writer.start();
        if (options.runtimeEvents() != null) {
            runtime = JfrBridge.start(this, options.runtimeEvents());
        }
    }

    /** Called by {@link Trace#stop()} after {@link #active} no longer names this recorder. */
    RecordingStats finish() {
        if (runtime != null) {
            runtime.stop(); // its last events still go in
        }
        writer.finish();
        return writer.stats();
    }

    /** Called by the writer thread when the output failed: later events are not recorded. */
    void outputFailed() {
        Trace.detach(this);
    }
}
