package io.asynctrace;

import io.asynctrace.reader.RuntimeKind;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import java.util.List;
import jdk.jfr.EventSettings;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * An in-process {@link RecordingStream} turning JFR events into asynctrace runtime
 * events on the threads they happened on.
 *
 * <p>Clocks: JFR stamps events from its own tick counter, converted to wall-clock
 * {@link Instant}s; asynctrace uses {@code System.nanoTime()}. The offset between the
 * two is measured with a marker event ({@link ClockSync}) that carries the
 * {@code nanoTime} read just before it is committed: its JFR start time minus that
 * value is the offset plus a delay. The marker is committed at start and at every
 * stream flush, and the smallest sample of a recent window applies
 * ({@link ClockOffset}).
 *
 * <p>Bounds: the stream keeps at most {@value #MAX_AGE_SECONDS} s and
 * {@value #MAX_SIZE_BYTES} bytes of JFR data; a handler that throws drops that
 * one event, never the stream: counted as dropped at once (every output's next segment has
 * it), and said in a data-loss event at stop. A stop whose
 * stream has still not caught up once it is closed and its dispatch thread joined says so
 * with a data-loss event of value 0 (how many events are missing is JFR's to know) whose
 * detail says how many of the stream's flushes (about a second of JFR events each) had not
 * arrived: the clock markers committed and not delivered.
 *
 * <p>Stacks: the waiting events (park, monitor enter, sleep, pinning, socket I/O) are
 * enabled with JFR's stack trace when {@link RuntimeEvents#stackDepth()} is above 0;
 * their frames are interned into the recording's {@link StackTable} on the stream's
 * thread (JFR frames have a class, method and line, no source file).
 */
final class JfrStream extends JfrBridge {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    private static final long STOP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long MAX_AGE_SECONDS = 30;
    static final long MAX_SIZE_BYTES = 32L << 20;

    /** The clock marker. */
    @Name("io.asynctrace.ClockSync")
    @Label("asynctrace clock sync")
    @Category("asynctrace")
    @StackTrace(false)
    static final class ClockSync extends Event {
        @Label("nanoTime")
        long nanoTime;
        @Label("last")
        boolean last;
    }

    private final Recorder recorder;
    private final RecordingStream stream;
    /** Frames kept per stack of the waiting events; 0: they are recorded without stacks. */
    private final int stackDepth;
    private final int[] frameIds;
    /** The recording's writer thread and this stream's thread, whose parks and sleeps are left out. */
    private final long writerThread;
    private volatile long streamThread = -1;
    /** The stream's thread, once it delivered a marker: {@link #stop} waits for it to end. */
    private volatile Thread dispatcher;
    private final CountDownLatch drained = new CountDownLatch(1);
    /** JFR epoch nanoseconds minus nanoTime; coarse (wall clock in ms) until the first marker arrives. */
    private final ClockOffset clock = new ClockOffset(System.currentTimeMillis() * 1_000_000L - System.nanoTime());
    private final java.util.concurrent.atomic.AtomicLong handlerFailures = new java.util.concurrent.atomic.AtomicLong();
    /** How long {@link #stop} waits for JFR's last events. */
    private volatile long stopWaitNanos = STOP_WAIT_NANOS;
    /** For tests: the stream's thread holds the last marker until {@link #stop} gave up waiting for it. */
    private volatile CountDownLatch lateForTest;
    /** For tests: whether {@link #lateForTest} is let go before the dispatch thread is joined (else after stop's checks). */
    private volatile boolean lateArrivesInJoinForTest;
    /** For tests: the name of the JFR event whose handler is to throw next, or null. */
    private volatile String failHandlerForTest;
    /** For tests: run on the stream's thread after the last marker, once {@link #stop} closed the stream. */
    private volatile Runnable afterCloseForTest;
    private final CountDownLatch closed = new CountDownLatch(1);
    /** Clock markers committed, and delivered to {@link #sync} (the last one once it is through): their gap at stop is how far behind the stream is. */
    private final java.util.concurrent.atomic.AtomicLong marksCommitted = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong marksDelivered = new java.util.concurrent.atomic.AtomicLong();

    JfrStream(Recorder recorder, RuntimeEvents events) {
        this.recorder = recorder;
        this.stackDepth = events.stackDepth();
        this.frameIds = new int[stackDepth];
        this.writerThread = recorder.writer.threadId();
        RecordingStream s = new RecordingStream();
        try {
            s.setMaxAge(Duration.ofSeconds(MAX_AGE_SECONDS));
            s.setMaxSize(MAX_SIZE_BYTES);
            s.enable(ClockSync.class);
            s.enable("jdk.GCPhasePause");
            s.enable("jdk.GCHeapSummary");
            Duration blocking = events.blockingThreshold();
            stacks(s.enable("jdk.ThreadPark").withThreshold(blocking));
            stacks(s.enable("jdk.JavaMonitorEnter").withThreshold(blocking));
            stacks(s.enable("jdk.ThreadSleep").withThreshold(blocking));
            stacks(s.enable("jdk.VirtualThreadPinned").withThreshold(blocking));
            stacks(s.enable("jdk.SocketRead").withThreshold(events.socketThreshold()));
            stacks(s.enable("jdk.SocketWrite").withThreshold(events.socketThreshold()));
            if (events.threadLifecycle()) {
                s.enable("jdk.ThreadStart").withoutStackTrace();
                s.enable("jdk.ThreadEnd").withoutStackTrace();
            }
            s.enable("jdk.DataLoss");
            s.onEvent("io.asynctrace.ClockSync", guard(this::sync));
            s.onEvent("jdk.GCPhasePause", guard(e -> emit(e, 0, "JVM", RuntimeKind.GC_PAUSE, e.getLong("gcId"),
                    e.getString("name"))));
            s.onEvent("jdk.GCHeapSummary", guard(this::heap));
            s.onEvent("jdk.ThreadPark", guard(e -> waited(e, RuntimeKind.THREAD_PARK, 0,
                    className(e, "parkedClass"))));
            s.onEvent("jdk.JavaMonitorEnter", guard(e -> waited(e, RuntimeKind.MONITOR_ENTER, 0,
                    className(e, "monitorClass"))));
            s.onEvent("jdk.ThreadSleep", guard(e -> waited(e, RuntimeKind.THREAD_SLEEP, 0, "")));
            s.onEvent("jdk.VirtualThreadPinned", guard(e -> waited(e, RuntimeKind.VIRTUAL_THREAD_PINNED, 0, "")));
            s.onEvent("jdk.SocketRead", guard(e -> waited(e, RuntimeKind.SOCKET_READ, e.getLong("bytesRead"),
                    address(e))));
            s.onEvent("jdk.SocketWrite", guard(e -> waited(e, RuntimeKind.SOCKET_WRITE, e.getLong("bytesWritten"),
                    address(e))));
            s.onEvent("jdk.ThreadStart", guard(e -> thread(e, RuntimeKind.THREAD_START)));
            s.onEvent("jdk.ThreadEnd", guard(e -> thread(e, RuntimeKind.THREAD_END)));
            s.onEvent("jdk.DataLoss", guard(e -> emit(e, 0, "JVM", RuntimeKind.DATA_LOSS, e.getLong("amount"),
                    "JDK Flight Recorder lost " + e.getLong("amount") + " bytes of events")));
            s.onFlush(() -> mark(false));
            s.setReuse(true);
            s.setOrdered(true); // the clock marker before the events it times
            s.startAsync();
        } catch (RuntimeException | LinkageError e) {
            s.close();
            throw e;
        }
        this.stream = s;
        mark(false);
    }

    private void mark(boolean last) {
        marksCommitted.incrementAndGet();
        ClockSync c = new ClockSync();
        c.last = last;
        c.nanoTime = System.nanoTime();
        c.commit();
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    private void sync(RecordedEvent e) {
        dispatcher = Thread.currentThread();
        streamThread = dispatcher.getId();
        clock.sample(epochNanos(e.getStartTime()), e.getLong("nanoTime"));
        if (!e.getBoolean("last")) {
            marksDelivered.incrementAndGet();
        } else {
            CountDownLatch late = lateForTest;
            if (late != null) {
                try {
                    late.await(30, TimeUnit.SECONDS); // JFR fallen behind, as under load: stop gives up first
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                }
            }
            marksDelivered.incrementAndGet();
            drained.countDown();
            Runnable after = afterCloseForTest;
            if (after != null) {
                try {
                    closed.await(30, TimeUnit.SECONDS); // JFR dispatching one more event as stop closes the stream
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                }
                after.run();
            }
        }
    }

    /**
     * For tests: once {@link #stop} has closed the stream, JFR's thread, still dispatching,
     * runs {@code late} (as when it delivers events of the last chunk after the close).
     */
    void afterCloseForTest(Runnable late) {
        afterCloseForTest = late;
    }

    /** For tests: the handler of the next JFR event named {@code eventName} throws, as a bug in it would. */
    void failHandlerForTest(String eventName) {
        failHandlerForTest = eventName;
    }

    /** @return how many JFR events a handler failed on so far */
    long handlerFailures() {
        return handlerFailures.get();
    }

    /** For tests: records a runtime event as a JFR handler does, on the calling thread. */
    void emitForTest(long thread, String threadName, RuntimeKind kind, String detail) {
        recorder.runtimeEvent(thread, threadName, System.nanoTime(), 0, kind.code(), 0, detail);
    }

    /**
     * For tests: JFR delivers the last marker only after {@link #stop} gave up waiting
     * {@code wait} for it, as when the stream has fallen behind: while stop joins the
     * dispatch thread ({@code arrivesInTheJoin}), or only once stop is done.
     */
    void lateLastMarkerForTest(Duration wait, boolean arrivesInTheJoin) {
        stopWaitNanos = wait.toNanos();
        lateArrivesInJoinForTest = arrivesInTheJoin;
        lateForTest = new CountDownLatch(1);
    }

    /** A handler that never lets an exception end JFR's stream thread: the event is dropped and counted. */
    private java.util.function.Consumer<RecordedEvent> guard(java.util.function.Consumer<RecordedEvent> handler) {
        return e -> {
            try {
                String fail = failHandlerForTest;
                if (fail != null && fail.equals(e.getEventType().getName())) {
                    failHandlerForTest = null;
                    throw new IllegalStateException("a handler failing for the test");
                }
                handler.accept(e);
            } catch (RuntimeException | LinkageError | StackOverflowError x) {
                recorder.dropped.incrementAndGet(); // every output counts it in its next segment (review 71 G6)
                if (handlerFailures.getAndIncrement() == 0) {
                    LOG.log(System.Logger.Level.WARNING, "asynctrace: a JFR event could not be recorded: " + x);
                }
            }
        };
    }

    @Override
    void abort() {
        stream.close();
    }

    @Override
    void stop() {
        mark(true);
        boolean caughtUp = false;
        try {
            caughtUp = drained.await(stopWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CountDownLatch late = lateForTest;
        if (late != null && lateArrivesInJoinForTest) {
            late.countDown();
        }
        stream.close();
        closed.countDown();
        // close() does not wait for JFR's dispatch thread, which may still be delivering events (on
        // Java 25 closing the recording hands its last chunk to the stream): they happened before the
        // trace's end, and must reach the recording before the writer closes its buffers (else each
        // counts as dropped: RuntimeEventOptionsTest's flake on Java 25 under load).
        Thread t = dispatcher;
        boolean ended = true;
        try {
            if (t != null) {
                TimeUnit.NANOSECONDS.timedJoin(t, Math.max(1, stopWaitNanos));
                ended = !t.isAlive();
            } else {
                stream.awaitTermination(Duration.ofNanos(Math.max(1, stopWaitNanos)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!ended) {
            recorder.runtimeEvent(0, "JVM", System.nanoTime(), 0, RuntimeKind.DATA_LOSS.code(), 0,
                    "JDK Flight Recorder's dispatch thread had not ended " + TimeUnit.NANOSECONDS.toMillis(stopWaitNanos)
                            + " ms after the trace stopped: events it delivers later are counted as dropped");
        }
        if (!caughtUp && drained.getCount() > 0) {
            // Read after the join: what JFR delivered in it reached the recording (review 63 R2). How many
            // events are missing is JFR's to know (value 0: data_loss.amount adds bytes and events, not
            // flushes); how many of its flushes had not arrived is ours (a marker each), said in the detail.
            long flushesBehind = Math.max(1, marksCommitted.get() - marksDelivered.get());
            recorder.runtimeEvent(0, "JVM", System.nanoTime(), 0, RuntimeKind.DATA_LOSS.code(), 0,
                    "the JFR stream had not caught up " + TimeUnit.NANOSECONDS.toMillis(stopWaitNanos)
                            + " ms after the trace stopped: the events of its last " + flushesBehind
                            + " flushes (about a second each) are missing");
        }
        if (late != null) {
            late.countDown(); // the test's late marker, held past the join: delivered after the trace's end
        }
        long failures = handlerFailures.get();
        if (failures > 0) {
            // Value 0: the events are in the drop count already (guard), and data_loss.amount adds bytes only.
            recorder.runtimeEvent(0, "JVM", System.nanoTime(), 0, RuntimeKind.DATA_LOSS.code(), 0,
                    failures + " JFR events could not be recorded (a handler failed; counted as dropped)");
        }
        if (!clock.measured()) {
            LOG.log(System.Logger.Level.WARNING,
                    "asynctrace: JFR clock offset never measured; runtime event times are accurate to a millisecond");
        }
    }

    private void stacks(EventSettings settings) {
        if (stackDepth > 0) {
            settings.withStackTrace();
        } else {
            settings.withoutStackTrace();
        }
    }

    /** A thread waited (parked, blocked, slept, did socket I/O, was pinned): recorded with its stack. */
    private void waited(RecordedEvent e, RuntimeKind kind, long value, String detail) {
        RecordedThread t = e.getThread();
        if (t != null && (t.getJavaThreadId() == writerThread || t.getJavaThreadId() == streamThread)) {
            return; // asynctrace's own threads waiting for work: not the application's time
        }
        int stack = stackDepth == 0 ? StackTable.NONE : stack(e.getStackTrace());
        if (t == null || t.getJavaThreadId() <= 0) {
            emit(e, 0, "JVM", kind, value, detail, stack);
        } else {
            emit(e, t.getJavaThreadId(), name(t), kind, value, detail, stack);
        }
    }

    /** Interns JFR's stack, cut to the depth bound: its id, 0 if the table is full, NONE if JFR took none. */
    private int stack(RecordedStackTrace trace) {
        if (trace == null) {
            return StackTable.NONE;
        }
        List<RecordedFrame> frames = trace.getFrames();
        int n = Math.min(frames.size(), stackDepth);
        StackTable table = recorder.stacks;
        for (int i = 0; i < n; i++) {
            RecordedFrame f = frames.get(i);
            RecordedMethod m = f.getMethod();
            String type = m == null || m.getType() == null ? "" : m.getType().getName();
            int id = table.frame(type, m == null ? "" : m.getName(), "", f.getLineNumber());
            if (id == 0) {
                return 0;
            }
            frameIds[i] = id;
        }
        return table.stack(frameIds, n, trace.isTruncated() || frames.size() > n);
    }

    private void emit(RecordedEvent e, long thread, String threadName, RuntimeKind kind, long value, String detail) {
        emit(e, thread, threadName, kind, value, detail, StackTable.NONE);
    }

    private void emit(RecordedEvent e, long thread, String threadName, RuntimeKind kind, long value, String detail,
                      int stack) {
        long start = epochNanos(e.getStartTime()) - clock.offset();
        recorder.runtimeEvent(thread, threadName, start, e.getDuration().toNanos(), kind.code(), value,
                detail == null ? "" : detail, stack);
    }

    private void heap(RecordedEvent e) {
        if ("After GC".equals(e.getString("when"))) {
            emit(e, 0, "JVM", RuntimeKind.HEAP_AFTER_GC, e.getLong("heapUsed"), "");
        }
    }

    private void thread(RecordedEvent e, RuntimeKind kind) {
        RecordedThread t = e.getThread("thread");
        if (t != null && t.getJavaThreadId() > 0) {
            emit(e, t.getJavaThreadId(), name(t), kind, 0, kind == RuntimeKind.THREAD_START ? name(t) : "");
        }
    }

    private static String name(RecordedThread t) {
        String n = t.getJavaName();
        return n == null ? "" : n;
    }

    private static String className(RecordedEvent e, String field) {
        jdk.jfr.consumer.RecordedClass c = e.getClass(field);
        return c == null ? "" : c.getName();
    }

    private static String address(RecordedEvent e) {
        return e.getString("host") + ":" + e.getInt("port");
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
