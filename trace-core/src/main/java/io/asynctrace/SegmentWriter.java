package io.asynctrace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer thread of one recording: drains the buffers into segments (see
 * {@code docs/FORMAT.md}), encodes each segment once and hands it to every attached
 * {@link Sink}, each of which frames and delivers it on its own. Taking the bytes out
 * of the buffers is {@link BufferCollector}'s, cutting segments {@link SegmentCutter}'s;
 * this class runs the thread: attaches and detaches, flushes, the periodic cut, stop.
 *
 * <p>A segment is cut when about {@value #SEGMENT_TARGET} bytes of batches are
 * pending, every flush interval (taking what every buffer has committed, so idle
 * threads' events are in it too), when a sink is attached or detached, and at stop.
 * Buffers of threads that died are reclaimed while recording; at stop every leased
 * and striped buffer is collected, so nothing committed is lost. This thread never
 * waits for a sink: a slow or failed sink loses only its own segments. An error of
 * its own (a bug) ends the recording, and the listener given at construction is told.
 *
 * <h2>Assumptions and guarantees: sinks attached mid-way</h2>
 * <ul>
 *   <li>Every event is written under one recording epoch ({@link Recorder#epoch}), read
 *       once at the start of the event method; the thread checks its task's begin against
 *       that epoch ({@link Task#claimBegin}) and writes the event into a buffer of that
 *       epoch only ({@link Buffer#epoch}; a buffer of another epoch is handed off first).
 *       So a buffer's bytes, however the writer gets them (handed off, stolen, a tail
 *       re-emitted by its owner or taken by this thread, a stripe), carry their epoch.</li>
 *   <li>An attach adds the sink to the list, then starts a new epoch {@code A} and
 *       records it as the sink's; a sink gets the events written under {@code A} or later,
 *       never an event written under an earlier epoch, even if it is committed after the
 *       attach ({@link PendingBatches} keeps batches no sink tells apart together; a body's
 *       epoch says which sinks take its events).</li>
 *   <li>Hence every task event a sink gets has its begin there: the thread saw
 *       {@code recordedEpoch >= e} for its epoch {@code e >= A}, and a begin claimed at
 *       epoch {@code k} reaches every sink attached at or before {@code k} (written under
 *       {@code k}, or queued as an {@link EarlierBegin} for those attached after the
 *       previous claim, queued before the event itself is committed, so in the same or an
 *       earlier segment).</li>
 *   <li>A task created as a sink is attached gets one begin in each output: its creator
 *       wrote its begin under the epoch it read, and its next event under a later epoch
 *       queues an earlier begin for exactly the sinks attached in between.</li>
 *   <li>Left as is: a begin dropped (no buffer) after another thread of the same task
 *       already checked it leaves that thread's event without a begin until the task's
 *       next event; the drop is counted in the output.</li>
 * </ul>
 *
 * <h2>A sink detached mid-way</h2>
 * <p>Its final segment is what a first sweep of the buffers took; a second sweep then
 * gives it the task begins committed by then, so a task shared by threads never has an
 * event there without its begin: see {@link ClosingBegins}'s Assumptions and guarantees.
 * An attribute call under way on a task whose earlier begin it got without the value is
 * waited for, or counted lost to it: see {@link EarlierBegins}'s.
 *
 * <p>The race this replaces (review of 1fe893f, item 1): a thread read the epoch, found
 * its task's begin known, then was slow to commit its end; the attach's collect cut the
 * buffer before the end, so the begin went to the sinks already there and the end,
 * committed after, to the new sink alone. Reading the epoch again after the commit
 * cannot fix that without a fence on every event (the commit is a release store,
 * the read may pass it), and the two epochs the attach started let a recheck queue a
 * begin for an epoch the new sink did not take. Routing by the epoch the event was
 * checked under needs neither.
 */
final class SegmentWriter implements Runnable {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    static final int SEGMENT_TARGET = 1 << 20;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Recorder recorder;
    private final Thread thread;
    private final Runnable onFailure;
    private volatile boolean stopping;
    private volatile Throwable failure;

    /** The sinks segments go to; writer-thread only (changed through requests). */
    private final List<Sink> sinks = new ArrayList<>();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();

    // Trace.flush(): callers take a ticket and wait until the writer has completed a flush cycle begun after it.
    private final Object flushLock = new Object();
    private volatile long flushRequested;
    private long flushCompleted; // guarded by flushLock
    private boolean exited; // guarded by flushLock

    // Writer-thread state.
    /** Cuts the batches taken into segments for {@link #sinks}. */
    private final SegmentCutter segments;
    /** Takes the bytes out of the buffers, unit by unit, into {@link #segments}. */
    private final BufferCollector buffers;

    /** A change of sinks, carried out on the writer thread between segments. */
    private static final class Request {
        final Sink sink;
        final boolean attach;
        final CountDownLatch done = new CountDownLatch(1);
        /** Set (before {@link #done}) only when the writer carried it out; a request it let go of stays false. */
        volatile boolean served;

        Request(Sink sink, boolean attach) {
            this.sink = sink;
            this.attach = attach;
        }
    }

    /**
     * @param recorder the recording
     * @param onFailure run (on this thread) when the writer itself failed and the recording ended
     */
    SegmentWriter(Recorder recorder, Runnable onFailure) {
        this.recorder = recorder;
        this.onFailure = onFailure;
        this.segments = new SegmentCutter(recorder, sinks);
        this.buffers = new BufferCollector(recorder, segments::appendUnit);
        this.thread = new Thread(this, "asynctrace-writer");
        thread.setDaemon(true);
    }

    /**
     * Attaches {@code sink} between two segments: the recording starts a new epoch, and
     * the sink gets every event written under it or later (what was written before goes
     * to the sinks already attached), every task with events there with its begin (see
     * the class javadoc). Waits until done.
     *
     * @return false if the recording ended first (the sink was not attached)
     */
    boolean attach(Sink sink) {
        return request(new Request(sink, true));
    }

    /** Before {@link #start()}: the first sink, which gets every segment of the recording. */
    void addFirstSink(Sink sink) {
        sink.attachedAt(recorder.epoch);
        sinks.add(sink);
    }

    /**
     * Cuts a segment of everything recorded so far for every sink, then closes
     * {@code sink} (its final segment) and lets it go. Waits until done (not for the
     * sink's own delivery).
     *
     * @return false if the recording ended first: then {@code sink} may not have been
     *     closed, and the caller closes it
     */
    boolean detach(Sink sink) {
        return request(new Request(sink, false));
    }

    private boolean request(Request r) {
        requests.add(r);
        LockSupport.unpark(thread);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (r.done.await(10, TimeUnit.MILLISECONDS)) {
                        return r.served;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                synchronized (flushLock) {
                    if (exited && r.done.getCount() > 0) {
                        return false;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For tests: makes the writer thread fail with {@code e} at its next round, as a bug in it would. */
    void failForTest(Error e) {
        injected = e;
        LockSupport.unpark(thread);
    }

    private volatile Error injected;

    /** For tests: see {@link BufferCollector#afterStripeForTest}. */
    void afterStripeForTest(java.util.function.IntConsumer hook) {
        buffers.afterStripeForTest = hook;
    }

    /** For tests: see {@link BufferCollector#awaitingRefillForTest}. */
    void awaitingRefillForTest(Runnable hook) {
        buffers.awaitingRefillForTest = hook;
    }

    /** @return see {@link BufferCollector#stripesSkipped()} */
    long stripesSkipped() {
        return buffers.stripesSkipped();
    }

    /** For tests: see {@link BufferCollector#stripeWaitsInVainForTest()}. */
    int stripeWaitsInVainForTest() {
        return buffers.stripeWaitsInVainForTest();
    }

    /** @return the writer's own failure, or null */
    Throwable failure() {
        return failure;
    }

    void start() {
        thread.start();
    }

    /** @return the writer thread's id: its own waiting is not the application's */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    long threadId() {
        return thread.getId();
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * Blocks until everything committed before the call is handed to the sinks (not
     * until they delivered it), without a bound.
     *
     * @return false if the recording ended (stopped or failed) before that
     */
    boolean flush() {
        return flush(Long.MAX_VALUE);
    }

    /**
     * Blocks until everything committed before the call is handed to the sinks, at most
     * {@code timeoutNanos} ({@link Long#MAX_VALUE}: no bound). A stripe the writer could
     * not lock meanwhile shows in {@link #stripesSkipped()}.
     *
     * @return false if the recording ended (stopped or failed) before that, or the time ran out
     */
    boolean flush(long timeoutNanos) {
        long ticket;
        synchronized (flushLock) {
            ticket = ++flushRequested;
        }
        LockSupport.unpark(thread);
        long deadline = System.nanoTime() + Math.min(timeoutNanos, Long.MAX_VALUE / 4);
        boolean interrupted = false;
        try {
            synchronized (flushLock) {
                while (flushCompleted < ticket && !exited) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(flushLock, left);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                return flushCompleted >= ticket;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Asks the thread to write everything and the final segment, and waits for it. */
    void finish() {
        stopping = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // stop() promises to return only once everything is written
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            long lastSegment = System.nanoTime();
            long interval = TimeUnit.MILLISECONDS.toNanos(recorder.options.flushIntervalMillis());
            while (!stopping) {
                Error e = injected;
                if (e != null) {
                    throw e;
                }
                serveRequests();
                buffers.recycleRetired();
                buffers.drainFull();
                buffers.reclaimDead();
                buffers.freeStripesOfDeadThreads();
                long now = System.nanoTime();
                long requested = flushRequested;
                boolean asked = requested > flushCompleted;
                if (asked || now - lastSegment >= interval) {
                    buffers.collect(asked);
                    if (segments.hasPending()) {
                        segments.emitSegment();
                    }
                    lastSegment = now;
                    if (asked) {
                        completeFlushes(requested);
                    }
                }
                LockSupport.parkNanos(this, PARK_NANOS);
            }
            long requested = flushRequested;
            serveRequests();
            buffers.drainFull();
            buffers.reclaimDead();
            buffers.flushLeased();
            buffers.takeStripes(true, true);
            buffers.drainFull();
            // Once more: an event just taken may have its task's begin in a buffer visited before it was committed.
            buffers.sweepClosing(null, System.nanoTime() + BufferCollector.STRIPE_WAIT_NANOS);
            buffers.drainFull();
            buffers.countHeldAtStop(); // a thread still mid swap: what it holds nobody takes now
            // The last segment is the final one: every sink's trace ends with what was pending.
            SegmentBody last = segments.cutLast();
            long dropped = recorder.dropped.get();
            for (Sink s : sinks) {
                recorder.earlierBegins.countAbandoned(s);
                s.close(dropped, true, last);
            }
            sinks.clear();
            completeFlushes(requested);
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.log(System.Logger.Level.WARNING, "asynctrace: the writer thread failed, recording stopped: " + e);
            closeSinks(false);
            try {
                onFailure.run();
            } catch (RuntimeException ignored) {
                // the recording has ended either way
            }
        } finally {
            releaseMemory();
            synchronized (flushLock) {
                exited = true;
                flushLock.notifyAll();
            }
            Request r;
            while ((r = requests.poll()) != null) {
                // Not served: the request returns false. A sink that was to leave is closed here
                // (its trace cut short); one that was to join was never attached, its caller closes it.
                if (!r.attach) {
                    r.sink.close(recorder.dropped.get(), false, null);
                }
                r.done.countDown();
            }
        }
    }

    /** Ends every sink's trace after a failure: no final segment (the traces read as cut short). */
    private void closeSinks(boolean complete) {
        long dropped = recorder.dropped.get();
        for (Sink s : sinks) {
            s.close(dropped, complete, null);
        }
        sinks.clear();
    }

    /**
     * Lets a finished recording's buffers go: threads that recorded keep a reference to
     * the recorder until they record again, and must not keep its memory with it.
     */
    private void releaseMemory() {
        buffers.release();
        segments.release();
        recorder.releaseTables();
    }

    private void serveRequests() {
        Request r;
        while ((r = requests.poll()) != null) {
            if (r.attach) {
                // What is committed now goes to the sinks already there, in segments of its own.
                buffers.collect(true);
                if (segments.hasPending()) {
                    segments.emitSegment();
                }
                // In the list before the epoch it takes events from begins: see the class javadoc.
                sinks.add(r.sink);
                recorder.newEpoch();
                r.sink.attachedAt(recorder.epoch);
            } else if (sinks.contains(r.sink)) {
                detachNow(r.sink);
            }
            r.served = true;
            r.done.countDown();
        }
    }

    /**
     * Cuts the final segment of {@code leaving} (what is pending goes to every sink, to it
     * as its last), lets it go, then sweeps the buffers once more and gives it the task
     * begins of its epochs committed by then: see "a sink detached mid-way" in the class
     * javadoc.
     */
    private void detachNow(Sink leaving) {
        long deadline = BufferCollector.detachDeadline(); // one bound for every wait of both passes
        segments.keepOffered();
        buffers.collect(true, deadline);
        long firstPassEnd = System.nanoTime();
        List<Stripe> leftOut = buffers.skipped();
        SegmentBody last = segments.cutLast();
        // The first pass's segments: cut as it went (a full segment's worth taken), apart before the last, the last.
        List<SegmentBody> firstPass = new ArrayList<>(segments.offeredSinceKept());
        if (last != null) {
            firstPass.add(last);
        }
        sinks.remove(leaving);
        if (last != null) {
            for (Sink s : sinks) {
                s.offer(last);
            }
        }
        recorder.earlierBegins.countAbandoned(leaving); // begins it needs whose thread the writer gave up on
        ClosingBegins begins = new ClosingBegins(leaving.attachEpoch(), recorder.base, firstPassEnd);
        for (SegmentBody b : firstPass) {
            boolean own = leaving.takesEventsOf(b);
            begins.seenIn(own ? b.events() : null, own ? b.eventsLength() : 0, b.begins());
        }
        recorder.earlierBegins.closing(leaving.attachEpoch()); // before the second pass's segments take the queue
        buffers.closing(begins);
        try {
            buffers.sweepClosing(leaving, deadline);
            buffers.takeStripes(false, true, deadline);
            // Every buffer holding such a begin is queued by now; later ones wait for the next round
            // (threads that outpace this thread's copying must not keep it here).
            buffers.drainFull(recorder.full.size());
        } finally {
            buffers.closing(null);
        }
        for (Stripe st : buffers.skipped()) {
            if (!leftOut.contains(st)) {
                leftOut.add(st);
            }
        }
        for (Stripe st : leftOut) {
            leaving.lost(BufferCollector.stuckEvents(st, leaving.attachEpoch())); // held by a stuck thread: never this sink's now
        }
        // Attribute calls under way on tasks whose begin it got without them (see EarlierBegins): after the
        // second pass, so that a wait here takes nothing from its budget (review 72 D1).
        EarlierBegins.Keeps keeps = recorder.earlierBegins.awaitKeeps(leaving.attachEpoch(), deadline);
        leaving.lost(keeps.lost());
        leaving.close(recorder.dropped.get(), true, segments.withBegins(last, begins, keeps.apart(), leaving));
    }

    private void completeFlushes(long upTo) {
        synchronized (flushLock) {
            flushCompleted = Math.max(flushCompleted, upTo);
            flushLock.notifyAll();
        }
    }
}
