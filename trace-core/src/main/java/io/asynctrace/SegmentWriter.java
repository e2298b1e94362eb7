package io.asynctrace;

import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.EventEncoder;
import io.asynctrace.internal.format.SegmentCodec;
import io.asynctrace.internal.format.StackTableBytes;
import io.asynctrace.internal.format.StringTableBytes;
import io.asynctrace.internal.format.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer thread of one recording: writes the file header, then turns drained
 * buffers into self-contained segments (see {@code docs/FORMAT.md}).
 *
 * <p>A segment is written when about {@value #SEGMENT_TARGET} bytes of batches are
 * pending, every flush interval (taking what every buffer has committed, so idle
 * threads' events reach the file too), and at stop. Buffers of threads that died
 * are reclaimed while recording; at stop every leased and striped buffer is
 * collected, so nothing committed is lost. The first
 * {@link IOException} from the output ends the recording: the file keeps every
 * segment written before it.
 */
final class SegmentWriter implements Runnable {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    static final int SEGMENT_TARGET = 1 << 20;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long STRIPE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Recorder recorder;
    private final Thread thread;
    private volatile boolean stopping;

    /** The Trace.start output, or null; replaced only on the writer thread (requests below). */
    private FileSink file;
    /** The stats of the last file sink detached, failed or finished. */
    private volatile RecordingStats fileStats = RecordingStats.NONE;
    /** The flight recorder's segments, or null; set by FlightRecorder start/stop. */
    volatile FlightRing ring;
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
    /** The stack table as the segment being encoded carries it (taken before the strings). */
    private StackTableBytes.Snapshot stacks = StackTableBytes.Snapshot.EMPTY;
    private long sequence;
    private long droppedReported;
    private final SegmentCodec codec = new SegmentCodec();

    private byte[] segment = new byte[SEGMENT_TARGET + (128 << 10)];

    /** A change of file sink, carried out on the writer thread. */
    private static final class Request {
        final FileSink attach; // null: detach the current one
        final CountDownLatch done = new CountDownLatch(1);
        volatile RecordingStats result = RecordingStats.NONE;

        Request(FileSink attach) {
            this.attach = attach;
        }
    }

    SegmentWriter(Recorder recorder, OutputStream out) {
        this.recorder = recorder;
        this.file = out == null ? null : new FileSink(out, 0);
        this.thread = new Thread(this, "asynctrace-writer");
        thread.setDaemon(true);
    }

    /** Starts writing every later segment to {@code out} too, after a header; waits until done. */
    RecordingStats attachFile(OutputStream out) {
        return request(new Request(new FileSink(out, recorder.dropped.get())));
    }

    /** Writes everything recorded so far to the file sink as its final segment and lets it go; waits. */
    RecordingStats detachFile() {
        return request(new Request(null));
    }

    private RecordingStats request(Request r) {
        requests.add(r);
        LockSupport.unpark(thread);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (r.done.await(10, TimeUnit.MILLISECONDS)) {
                        return r.result;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                synchronized (flushLock) {
                    if (exited && r.done.getCount() > 0) {
                        return fileStats;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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

    /** @return the figures of the file sink that finished last (after {@link #finish()}: this recording's) */
    RecordingStats stats() {
        return fileStats;
    }

    @Override
    public void run() {
        try {
            if (file != null) {
                try {
                    file.writeHeader(recorder);
                } catch (IOException e) {
                    fileFailed(e);
                }
            }
            long lastSegment = System.nanoTime();
            long interval = TimeUnit.MILLISECONDS.toNanos(recorder.options.flushIntervalMillis());
            while (!stopping) {
                serveRequests();
                recycleRetired();
                drainFull();
                reclaimDead();
                long now = System.nanoTime();
                long requested = flushRequested;
                boolean asked = requested > flushCompleted;
                if (asked || now - lastSegment >= interval) {
                    collect(asked);
                    if (pendingLength > 0) {
                        emitSegment(0);
                    } else if (asked && file != null) {
                        flushFile();
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
            emitSegment(Wire.FLAG_FINAL);
            finishFile();
            completeFlushes(requested);
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException | Error e) {
            fail(new IOException("asynctrace writer failed", e));
        } finally {
            releaseMemory();
            synchronized (flushLock) {
                exited = true;
                flushLock.notifyAll();
            }
            Request r;
            while ((r = requests.poll()) != null) {
                r.result = fileStats;
                r.done.countDown();
            }
        }
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
        segment = new byte[0];
    }

    /** Takes what every buffer has committed into {@code pending}; {@code wait}: also from busy stripes. */
    private void collect(boolean wait) throws IOException {
        flushLeased();
        takeStripes(false, wait);
        drainFull();
    }

    private void serveRequests() throws IOException {
        Request r;
        while ((r = requests.poll()) != null) {
            if (r.attach != null) {
                if (file == null) {
                    file = r.attach;
                    try {
                        file.writeHeader(recorder);
                    } catch (IOException e) {
                        fileFailed(e);
                    }
                    r.result = file == null ? fileStats : RecordingStats.NONE;
                }
            } else if (file != null) {
                collect(true);
                emitSegment(Wire.FLAG_FINAL);
                finishFile();
                r.result = fileStats;
            } else {
                r.result = fileStats;
            }
            r.done.countDown();
        }
    }

    private void finishFile() {
        if (file != null) {
            fileStats = file.stats(recorder.dropped.get());
            file = null;
        }
    }

    private void flushFile() throws IOException {
        try {
            file.flush();
        } catch (IOException e) {
            fileFailed(e);
        }
    }

    /** The file sink failed: recording goes on for the flight recorder if there is one, else it ends. */
    private void fileFailed(IOException e) throws IOException {
        file.failed(e);
        finishFile();
        if (ring == null) {
            throw e;
        }
        LOG.log(System.Logger.Level.WARNING, "asynctrace: writing the trace failed, that recording stopped "
                + "(the flight recorder goes on): " + e);
    }

    private void completeFlushes(long upTo) {
        synchronized (flushLock) {
            flushCompleted = Math.max(flushCompleted, upTo);
            flushLock.notifyAll();
        }
    }

    private void fail(IOException e) {
        finishFile();
        recorder.outputFailed();
        LOG.log(System.Logger.Level.WARNING, "asynctrace: writing the trace failed, recording stopped: " + e);
    }

    private void drainFull() throws IOException {
        Buffer b;
        while ((b = recorder.full.poll()) != null) {
            append(b.data, 0, b.committed());
            recorder.recycle(b);
        }
    }

    /** Flushes and frees the buffers of leased threads that have died. */
    private void reclaimDead() throws IOException {
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
    private void flushLeased() throws IOException {
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
    private void takeTail(ThreadState st, Buffer b, boolean ownerDead) throws IOException {
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
    private void collectLeased() throws IOException {
        flushLeased();
    }

    /**
     * Takes the striped buffers that hold events; at stop also closes the stripes.
     * Waits for a stripe's lock only when {@code wait} (a flush was asked for): a
     * periodic flush skips a stripe that is busy this instant.
     */
    private void takeStripes(boolean close, boolean wait) throws IOException {
        for (Stripe s : recorder.stripes) {
            if (wait ? !s.lock(STRIPE_WAIT_NANOS) : !s.tryLock()) {
                if (wait) {
                    LOG.log(System.Logger.Level.WARNING, "asynctrace: a shared buffer stayed locked for "
                            + TimeUnit.NANOSECONDS.toMillis(STRIPE_WAIT_NANOS) + " ms; its events are left out");
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
    private void appendUnit(byte[] header, int headerLength, byte[] src, int offset, int length) throws IOException {
        if (length <= 0) {
            return;
        }
        int total = headerLength + length;
        if (pendingLength + total > pending.length) {
            if (pendingLength > 0) {
                emitSegment(0);
            }
            if (total > pending.length) {
                pending = new byte[total];
            }
        }
        System.arraycopy(header, 0, pending, pendingLength, headerLength);
        System.arraycopy(src, offset, pending, pendingLength + headerLength, length);
        pendingLength += total;
        if (pendingLength >= SEGMENT_TARGET) {
            emitSegment(0);
        }
    }

    private void append(byte[] src, int offset, int length) throws IOException {
        if (length <= 0) {
            return;
        }
        if (pendingLength + length > pending.length) {
            if (pendingLength > 0) {
                emitSegment(0);
            }
            if (length > pending.length) {
                pending = new byte[length];
            }
        }
        System.arraycopy(src, offset, pending, pendingLength, length);
        pendingLength += length;
        if (pendingLength >= SEGMENT_TARGET) {
            emitSegment(0);
        }
    }

    /**
     * Turns {@code pending} into a segment for every sink: flagged {@code fileFlags}
     * for the file (the final flag only there: a flight recorder goes on).
     */
    private void emitSegment(int fileFlags) throws IOException {
        // The stack table first: every string its frames use was interned before it was published.
        stacks = recorder.stacks.encoded();
        encodeNewStrings();
        long droppedNow = recorder.dropped.get();
        FlightRing r = ring;
        if (file != null) {
            int n = encode(fileFlags, droppedNow);
            try {
                file.write(segment, n);
            } catch (IOException e) {
                fileFailed(e);
            }
        }
        if (r != null && (pendingLength > 0 || fileFlags == 0)) {
            r.add(segment, encode(0, droppedNow), System.nanoTime());
        }
        droppedReported = droppedNow;
        sequence++;
        pendingLength = 0;
    }

    /** Encodes the pending batches as one segment into {@code segment}; returns its length. */
    private int encode(int flags, long droppedNow) throws IOException {
        if (!SegmentCodec.fits(stringBytes.length(), stacks, pendingLength)) {
            throw new IOException("segment of " + (stringBytes.length() + stacks.size() + pendingLength)
                    + " bytes exceeds the format's limit");
        }
        long size = SegmentCodec.size(stringBytes.length(), stacks, pendingLength);
        if (segment.length < size) {
            segment = new byte[(int) size];
        }
        return codec.frame(segment, flags, sequence, droppedNow - droppedReported, stringBytes.count(),
                stringBytes.bytes(), stringBytes.length(), stacks, pending, 0, pendingLength);
    }

    /** Appends the strings interned since the last segment to the encoded table every segment repeats. */
    private void encodeNewStrings() {
        int count = recorder.stringCount();
        String[] table = recorder.strings();
        for (int id = stringBytes.count() + 1; id <= count; id++) {
            stringBytes.add(table[id]);
        }
    }
}
