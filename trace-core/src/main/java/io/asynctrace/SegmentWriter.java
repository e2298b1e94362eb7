package io.asynctrace;

import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.StackTableBytes;
import io.asynctrace.internal.format.StringTableBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer thread of one recording: drains the buffers into segments (see
 * {@code docs/FORMAT.md}), encodes each segment once and hands it to every attached
 * {@link Sink}, each of which frames and delivers it on its own.
 *
 * <p>A segment is cut when about {@value #SEGMENT_TARGET} bytes of batches are
 * pending, every flush interval (taking what every buffer has committed, so idle
 * threads' events are in it too), when a sink is attached or detached, and at stop.
 * Buffers of threads that died are reclaimed while recording; at stop every leased
 * and striped buffer is collected, so nothing committed is lost. This thread never
 * waits for a sink: a slow or failed sink loses only its own segments. An error of
 * its own (a bug) ends the recording, and the listener given at construction is told.
 */
final class SegmentWriter implements Runnable {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    static final int SEGMENT_TARGET = 1 << 20;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long STRIPE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

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
    private byte[] pending = new byte[SEGMENT_TARGET + (64 << 10)];
    private int pendingLength;
    private final StringTableBytes stringBytes = new StringTableBytes();

    /** A change of sinks, carried out on the writer thread between segments. */
    private static final class Request {
        final Sink sink;
        final boolean attach;
        final CountDownLatch done = new CountDownLatch(1);

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
        this.thread = new Thread(this, "asynctrace-writer");
        thread.setDaemon(true);
    }

    /**
     * Attaches {@code sink} between two segments: it gets every segment cut after
     * this call (what was recorded before went to the sinks already attached), and
     * the recording starts a new epoch, so every task with events in its segments
     * gets its begin there again. Waits until done.
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
     */
    void detach(Sink sink) {
        request(new Request(sink, false));
    }

    private boolean request(Request r) {
        requests.add(r);
        LockSupport.unpark(thread);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (r.done.await(10, TimeUnit.MILLISECONDS)) {
                        return true;
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
     * Blocks until everything committed before the call is written and the output
     * flushed.
     *
     * @return false if the recording ended (stopped or failed) before that
     */
    boolean flush() {
        long ticket;
        synchronized (flushLock) {
            ticket = ++flushRequested;
        }
        LockSupport.unpark(thread);
        boolean interrupted = false;
        try {
            synchronized (flushLock) {
                while (flushCompleted < ticket && !exited) {
                    try {
                        flushLock.wait();
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
                recycleRetired();
                drainFull();
                reclaimDead();
                for (Stripe stripe : recorder.stripes) {
                    stripe.freeIfOwnerDied();
                }
                long now = System.nanoTime();
                long requested = flushRequested;
                boolean asked = requested > flushCompleted;
                if (asked || now - lastSegment >= interval) {
                    collect(asked);
                    if (hasPending()) {
                        emitSegment();
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
            drainFull();
            reclaimDead();
            collectLeased();
            takeStripes(true, true);
            drainFull();
            // The last segment is the final one: every sink's trace ends with what was pending.
            SegmentBody last = hasPending() ? cutBody() : null;
            long dropped = recorder.dropped.get();
            for (Sink s : sinks) {
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
                if (!r.attach) {
                    r.sink.close(recorder.dropped.get(), failure == null, null);
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
        recorder.free.clear();
        recorder.full.clear();
        recorder.retired.clear();
        for (ThreadState st : recorder.leases) {
            st.buffer = null;
        }
        for (Stripe s : recorder.stripes) {
            if (s.tryLock()) {
                s.buffer = null;
                s.unlock();
            }
        }
        pending = new byte[0];
        stringBytes.release();
    }

    /** Takes what every buffer has committed into {@code pending}; {@code wait}: also from busy stripes. */
    private void collect(boolean wait) {
        flushLeased();
        takeStripes(false, wait);
        drainFull();
    }

    private void serveRequests() {
        Request r;
        while ((r = requests.poll()) != null) {
            if (r.attach) {
                // What was recorded before the attach goes to the sinks already there, not to this one.
                recorder.newEpoch();
                collect(true);
                if (hasPending()) {
                    emitSegment();
                }
                sinks.add(r.sink);
                // Tasks whose begins went out between the two epochs get theirs again in the sink's segments.
                recorder.newEpoch();
                r.sink.attachedAt(recorder.epoch);
            } else if (sinks.contains(r.sink)) {
                collect(true);
                // What is pending goes to every sink; to the one leaving, as its final segment.
                SegmentBody last = hasPending() ? cutBody() : null;
                sinks.remove(r.sink);
                if (last != null) {
                    for (Sink s : sinks) {
                        s.offer(last);
                    }
                }
                r.sink.close(recorder.dropped.get(), true, last);
            }
            r.done.countDown();
        }
    }

    private void completeFlushes(long upTo) {
        synchronized (flushLock) {
            flushCompleted = Math.max(flushCompleted, upTo);
            flushLock.notifyAll();
        }
    }

    private void drainFull() {
        Buffer b;
        while ((b = recorder.full.poll()) != null) {
            append(b.data, 0, b.committed());
            recorder.recycle(b);
        }
    }

    /** Flushes and frees the buffers of leased threads that have died. */
    private void reclaimDead() {
        for (Iterator<ThreadState> it = recorder.leases.iterator(); it.hasNext(); ) {
            ThreadState st = it.next();
            if (!st.thread.isAlive()) {
                it.remove();
                Buffer b = st.buffer;
                st.buffer = null;
                if (b != null) {
                    if (b.claim(Buffer.STOLEN)) {
                        append(b.data, 0, b.committed());
                    } else if (b.stolen()) {
                        takeTail(st, b, true);
                    }
                    recorder.recycle(b); // the owner is gone: nobody else holds it
                }
                recorder.leased.decrementAndGet();
            }
        }
    }

    /** Recycles the stolen buffers their owners have retired. */
    private void recycleRetired() {
        Buffer b;
        while ((b = recorder.retired.poll()) != null) {
            recorder.recycle(b);
        }
    }

    /**
     * Steals what live leased buffers have committed since their batch began, and takes
     * the tails that owners of already stolen buffers have not re-emitted, so that
     * events of idle threads reach the output every flush interval and at stop.
     */
    private void flushLeased() {
        for (ThreadState st : recorder.leases) {
            Buffer b = st.buffer;
            if (b == null) {
                continue;
            }
            if (b.owned()) {
                int c = b.committed();
                if (c > b.headerEnd && b.steal(c)) {
                    append(b.data, 0, c);
                }
            } else if (b.stolen()) {
                takeTail(st, b, false);
            }
        }
    }

    /**
     * Appends the committed bytes past a stolen buffer's cut, behind a BATCH_RESUME
     * header, if its owner has not claimed them; {@code ownerDead}: also what lies past
     * an earlier claim of the writer's (a live owner re-emits that itself).
     */
    private void takeTail(ThreadState st, Buffer b, boolean ownerDead) {
        int end = b.committed();
        int from;
        if (!b.writerClaimedTail) {
            if (end <= b.stolenAt) {
                return;
            }
            b.tailEnd = end; // published by the CAS below
            if (!b.claimTail()) {
                return; // the owner re-emits it
            }
            b.writerClaimedTail = true;
            from = b.stolenAt;
        } else if (ownerDead && end > b.tailEnd) {
            from = b.tailEnd; // committed after our claim by an owner that will never re-emit it
        } else {
            return;
        }
        Resume.State state = Resume.stateAt(b, from);
        byte[] header = new byte[EventEncoder.batchRoom(st.nameRef, st.name)];
        int n = Resume.header(header, 0, st, state.ts() - recorder.base, state.lastId(), state.lastTask());
        appendUnit(header, n, b.data, from, end - from);
    }

    /** At stop: every leased buffer's committed events, tails included. */
    private void collectLeased() {
        flushLeased();
    }

    /**
     * Takes the striped buffers that hold events; at stop also closes the stripes.
     * Waits for a stripe's lock only when {@code wait} (a flush was asked for): a
     * periodic flush skips a stripe that is busy this instant.
     */
    private void takeStripes(boolean close, boolean wait) {
        for (Stripe s : recorder.stripes) {
            if (wait ? !s.lock(STRIPE_WAIT_NANOS) : !s.tryLock()) {
                if (close) {
                    // Its holder is stuck (or died holding it): what it committed is lost, and counted.
                    Buffer stuck = s.buffer;
                    long lost = stuck == null ? 0 : Resume.countEvents(stuck.data, stuck.committed());
                    recorder.dropped.addAndGet(lost);
                    LOG.log(System.Logger.Level.WARNING, "asynctrace: a shared buffer stayed locked for "
                            + TimeUnit.NANOSECONDS.toMillis(STRIPE_WAIT_NANOS) + " ms at stop; its " + lost
                            + " events are counted as dropped");
                }
                continue;
            }
            Buffer b = s.buffer;
            if (b != null && (close || b.pos > 0)) {
                s.buffer = null;
            } else {
                b = null;
            }
            s.closed |= close;
            s.unlock();
            if (b != null && b.claim(Buffer.STOLEN)) {
                append(b.data, 0, b.committed());
                if (!close) {
                    recorder.recycle(b);
                }
            }
        }
    }

    /** Appends a BATCH_RESUME header and the events it introduces into the same segment. */
    private void appendUnit(byte[] header, int headerLength, byte[] src, int offset, int length) {
        if (length <= 0) {
            return;
        }
        int total = headerLength + length;
        if (pendingLength + total > pending.length) {
            if (hasPending()) {
                emitSegment();
            }
            if (total > pending.length) {
                pending = new byte[total];
            }
        }
        System.arraycopy(header, 0, pending, pendingLength, headerLength);
        System.arraycopy(src, offset, pending, pendingLength + headerLength, length);
        pendingLength += total;
        if (pendingLength >= SEGMENT_TARGET) {
            emitSegment();
        }
    }

    private void append(byte[] src, int offset, int length) {
        if (length <= 0) {
            return;
        }
        if (pendingLength + length > pending.length) {
            if (hasPending()) {
                emitSegment();
            }
            if (length > pending.length) {
                pending = new byte[length];
            }
        }
        System.arraycopy(src, offset, pending, pendingLength, length);
        pendingLength += length;
        if (pendingLength >= SEGMENT_TARGET) {
            emitSegment();
        }
    }

    /** @return whether there is something to cut a segment of: batches, or earlier begins queued */
    private boolean hasPending() {
        return pendingLength > 0 || !recorder.earlierBegins.isEmpty();
    }

    /** Encodes {@code pending} once as a segment body and hands it to every sink. */
    private void emitSegment() {
        SegmentBody body = cutBody();
        if (body != null) {
            for (Sink s : sinks) {
                s.offer(body);
            }
        }
    }

    /**
     * Encodes {@code pending} once as a segment body (then empties it), or returns null if
     * it exceeds the format's limit (its events counted as dropped).
     */
    private SegmentBody cutBody() {
        // The stack table first: every string its frames use was interned before it was published.
        StackTableBytes.Snapshot stacks = recorder.stacks.encoded();
        encodeNewStrings();
        StringTableBytes.Snapshot strings = stringBytes.snapshot();
        SegmentBody body = new SegmentBody(strings, stacks, Arrays.copyOf(pending, pendingLength), pendingLength,
                recorder.dropped.get(), recorder.takeEarlierBegins());
        pendingLength = 0;
        if (!SegmentCodec.fits(strings.length(), stacks, body.eventsLength())) {
            // Cannot happen while the tables stay within their budgets; never end the writer over it.
            long events = body.countEvents();
            recorder.dropped.addAndGet(events);
            LOG.log(System.Logger.Level.WARNING, "asynctrace: a segment of " + (strings.length() + stacks.size()
                    + body.eventsLength()) + " bytes exceeds the format's limit; its " + events
                    + " events are counted as dropped");
            return null;
        }
        return body;
    }

    /** Appends the strings interned since the last segment to the encoded table. */
    private void encodeNewStrings() {
        int count = recorder.stringCount();
        String[] table = recorder.strings();
        for (int id = stringBytes.count() + 1; id <= count; id++) {
            stringBytes.add(table[id]);
        }
    }
}
