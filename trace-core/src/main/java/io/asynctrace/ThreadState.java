package io.asynctrace;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything asynctrace keeps per thread, behind one thread-local: the current task
 * and span, a block of ids, the string-reference cache and the buffer lease of the
 * recording the thread last wrote to. Confined to its thread, except {@link #buffer},
 * {@link #refilling} and {@link #swapped}, which the writer thread reads to flush and
 * reclaim leased buffers.
 */
final class ThreadState {
    private static final ThreadLocal<ThreadState> LOCAL = ThreadLocal.withInitial(ThreadState::new);
    private static final AtomicLong IDS = new AtomicLong(1);
    private static final int ID_BLOCK = 1024;
    private static final int CACHE = 64;
    private static final MethodHandle IS_VIRTUAL = findIsVirtual();

    final Thread thread;
    final long threadId;
    final boolean virtual;
    /** This state's {@code TaskThreadLocalAccessor.near()} token: not a switch token, so {@code switchBack} ignores it. */
    final Near near = new Near(this);

    /** A {@code TaskThreadLocalAccessor.near()} token. */
    static final class Near {
        final ThreadState state;

        Near(ThreadState state) {
            this.state = state;
        }
    }

    /** The current task, or null. */
    Task task;
    /** Id of the innermost open span begun on this thread under the current task, or 0. */
    long span;

    private long nextId;
    private long idLimit;

    /**
     * Task and span saved by each {@link #push} for its matching {@link #pop} (last in,
     * first out), grown on demand up to {@link #MAX_SAVED}; deeper pushes (only broken
     * pairs get there) save nothing and their pops restore no task and no span.
     */
    private Task[] savedTasks = new Task[8];
    private long[] savedSpans = new long[8];
    private int savedDepth;
    private static final int MAX_SAVED = 1024;

    /**
     * {@link Recorder#serial} of the recording this state's lease and caches belong to
     * (0: none). A number, not a reference: an idle thread must not keep a stopped
     * recording's memory alive.
     */
    int boundTo;
    /** Leased buffer (exclusive mode); read by the writer thread. */
    volatile Buffer buffer;
    /**
     * Set while this thread swaps its leased buffer ({@code Recorder.refill}), when one of
     * its buffers may be neither {@link #buffer} nor queued for the writer; read by the
     * writer thread.
     */
    volatile boolean refilling;
    /**
     * The buffer the thread swaps out while {@link #refilling} (null: it had none), written
     * before {@link #refilling} is set: the writer thread, which sees it set, reads what the
     * thread holds in the middle of its swap (if its {@link Buffer#holder} is still this).
     */
    volatile Buffer swapped;
    /** The task this thread is setting an attribute on ({@code Task.recordAttribute}), or null. */
    Task attributing;
    /** Whether this thread writes through the shared stripes. */
    boolean shared;
    /** The stripe this thread holds locked during one event (shared mode). */
    Stripe locked;
    /** Index of the stripe this thread tries first (shared mode). */
    int stripe;
    /**
     * Takes this thread's stacks for the bound recording (its caches hold that recording's
     * stack ids, not the table: see {@link #boundTo}), made on first use; or null.
     */
    StackCapture stacks;
    /** String reference of this thread's name in the bound recording's table (0: inline). */
    int nameRef;
    String name;

    private final String[] keys = new String[CACHE];
    private final int[] refs = new int[CACHE];

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    private ThreadState() {
        thread = Thread.currentThread();
        threadId = thread.getId();
        virtual = isVirtual(thread);
        stripe = (int) (threadId ^ (threadId >>> 16));
    }

    static ThreadState current() {
        return LOCAL.get();
    }

    /** Returns a JVM-wide unique id for a task, span or job; never 0. */
    long newId() {
        long id = nextId;
        if (id == idLimit) {
            id = IDS.getAndAdd(ID_BLOCK);
            idLimit = id + ID_BLOCK;
        }
        nextId = id + 1;
        return id;
    }

    /** Saves the current task and span, then makes {@code next} current with a fresh span nesting. */
    void push(Task next) {
        int depth = savedDepth;
        if (depth == savedTasks.length && depth < MAX_SAVED) {
            savedTasks = Arrays.copyOf(savedTasks, depth * 2);
            savedSpans = Arrays.copyOf(savedSpans, depth * 2);
        }
        if (depth < savedTasks.length) {
            savedTasks[depth] = task;
            savedSpans[depth] = span;
        }
        savedDepth = depth + 1;
        task = next;
        span = 0;
    }

    /**
     * Undoes the matching {@link #push}: the task and span it saved are current again
     * (no task and no span if the pairs were broken).
     */
    void pop() {
        int depth = savedDepth;
        if (depth == 0) {
            task = null;
            span = 0;
            return;
        }
        depth--;
        savedDepth = depth;
        if (depth < savedTasks.length) {
            task = savedTasks[depth];
            span = savedSpans[depth];
            savedTasks[depth] = null; // a pooled thread keeps no reference to an old task
        } else {
            task = null;
            span = 0;
        }
    }

    /** Binds this thread to another recording: forgets the old lease and string references. */
    void bind(Recorder r) {
        boundTo = r.serial;
        stacks = null; // its caches hold ids of the old recording's stack table
        buffer = null;
        locked = null;
        Arrays.fill(keys, null);
        name = thread.getName();
        nameRef = 0; // thread names go inline in batch headers: pools that churn threads must not fill the string table
        shared = virtual || !r.lease(this);
    }

    /** Returns the string table reference of {@code s} in {@code recorder}, the bound recording (0: write inline). */
    int ref(Recorder recorder, String s) {
        int i = s.hashCode() & (CACHE - 1);
        String k = keys[i];
        if (k == s) {
            return refs[i];
        }
        int ref = recorder.strings.intern(s);
        keys[i] = s;
        refs[i] = ref;
        return ref;
    }

    private static MethodHandle findIsVirtual() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null; // before Java 21 there are no virtual threads
        }
    }

    private static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            return false;
        }
    }
}
