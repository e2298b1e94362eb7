package io.asynctrace;

import io.asynctrace.internal.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

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

    private final Recorder recorder;
    private final OutputStream out;
    private final Thread thread;
    private volatile boolean stopping;

    // Trace.flush(): callers take a ticket and wait until the writer has completed a flush cycle begun after it.
    private final Object flushLock = new Object();
    private volatile long flushRequested;
    private long flushCompleted; // guarded by flushLock
    private boolean exited; // guarded by flushLock

    // Writer-thread state.
    private byte[] pending = new byte[SEGMENT_TARGET + (64 << 10)];
    private int pendingLength;
    private byte[] stringBytes = new byte[4096];
    private int stringBytesLength;
    private int stringsEncoded;
    private long sequence;
    private long droppedReported;
    private final CRC32C crc = new CRC32C();

    // Results, published by the thread's termination (join).
    private long bytesWritten;
    private IOException failure;

    SegmentWriter(Recorder recorder, OutputStream out) {
        this.recorder = recorder;
        this.out = out;
        this.thread = new Thread(this, "asynctrace-writer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
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

    RecordingStats stats() {
        return new RecordingStats(bytesWritten, sequence, recorder.dropped.get(), failure);
    }

    @Override
    public void run() {
        try {
            writeHeader();
            long lastSegment = System.nanoTime();
            long interval = TimeUnit.MILLISECONDS.toNanos(recorder.options.flushIntervalMillis());
            while (!stopping) {
                drainFull();
                reclaimDead();
                long now = System.nanoTime();
                long requested = flushRequested;
                boolean asked = requested > flushCompleted;
                if (asked || now - lastSegment >= interval) {
                    flushLeased();
                    takeStripes(false, asked);
                    drainFull();
                    if (pendingLength > 0) {
                        writeSegment(0);
                    } else if (asked) {
                        out.flush();
                    }
                    lastSegment = now;
                    if (asked) {
                        completeFlushes(requested);
                    }
                }
                LockSupport.parkNanos(this, PARK_NANOS);
            }
            long requested = flushRequested;
            drainFull();
            reclaimDead();
            collectLeased();
            takeStripes(true, true);
            drainFull();
            writeSegment(Wire.FLAG_FINAL);
            completeFlushes(requested);
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException | Error e) {
            fail(new IOException("asynctrace writer failed", e));
        } finally {
            synchronized (flushLock) {
                exited = true;
                flushLock.notifyAll();
            }
        }
    }

    private void completeFlushes(long upTo) {
        synchronized (flushLock) {
            flushCompleted = Math.max(flushCompleted, upTo);
            flushLock.notifyAll();
        }
    }

    private void fail(IOException e) {
        failure = e;
        recorder.outputFailed();
        LOG.log(System.Logger.Level.WARNING, "asynctrace: writing the trace failed, recording stopped: " + e);
    }

    private void writeHeader() throws IOException {
        byte[] h = new byte[Wire.HEADER_SIZE];
        System.arraycopy(Wire.MAGIC, 0, h, 0, 8);
        h[8] = 0;
        h[9] = (byte) Wire.VERSION;
        putLong(h, 12, recorder.wallBase);
        putLong(h, 20, recorder.base);
        out.write(h);
        bytesWritten += h.length;
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
                        recorder.recycle(b);
                    } else if (b.stolen()) {
                        appendTail(st, b);
                        if (b.release()) { // the dead owner's hold
                            recorder.recycle(b);
                        }
                    }
                }
                recorder.leased.decrementAndGet();
            }
        }
    }

    /**
     * Steals what live leased buffers have committed since their batch began, so that
     * events of idle threads reach the file every flush interval and at stop.
     */
    private void flushLeased() throws IOException {
        for (ThreadState st : recorder.leases) {
            Buffer b = st.buffer;
            if (b == null || !b.owned()) {
                continue;
            }
            int c = b.committed();
            if (c > b.headerEnd && b.steal(c)) {
                append(b.data, 0, c);
                if (b.release()) {
                    recorder.recycle(b);
                }
            }
        }
    }

    /** At stop: also re-emits the tails of stolen buffers whose live owners have not written since. */
    private void collectLeased() throws IOException {
        flushLeased();
        for (ThreadState st : recorder.leases) {
            Buffer b = st.buffer;
            if (b != null && b.stolen()) {
                appendTail(st, b);
            }
        }
    }

    /** Appends the committed bytes past a stolen buffer's cut behind a BATCH_RESUME header, if its owner did not. */
    private void appendTail(ThreadState st, Buffer b) throws IOException {
        int end = b.committed();
        if (!b.claimTail() || end <= b.stolenAt) {
            return;
        }
        long[] state = {b.baseTs, b.baseId, b.baseTask};
        Resume.walk(b.data, b.headerEnd, b.stolenAt, state);
        byte[] header = new byte[Resume.HEADER + Encoding.refSize(st.nameRef, st.name)];
        int n = Resume.header(header, 0, st, state[0] - recorder.base, state[1], state[2]);
        append(header, 0, n);
        append(b.data, b.stolenAt, end - b.stolenAt);
    }

    /**
     * Takes the striped buffers that hold events; at stop also closes the stripes.
     * Waits for a stripe's lock only when {@code wait} (a flush was asked for): a
     * periodic flush skips a stripe that is busy this instant.
     */
    private void takeStripes(boolean close, boolean wait) throws IOException {
        for (Stripe s : recorder.stripes) {
            if (wait) {
                s.lock();
            } else if (!s.tryLock()) {
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

    private void append(byte[] src, int offset, int length) throws IOException {
        if (length <= 0) {
            return;
        }
        if (pendingLength + length > pending.length) {
            if (pendingLength > 0) {
                writeSegment(0);
            }
            if (length > pending.length) {
                pending = new byte[length];
            }
        }
        System.arraycopy(src, offset, pending, pendingLength, length);
        pendingLength += length;
        if (pendingLength >= SEGMENT_TARGET) {
            writeSegment(0);
        }
    }

    private void writeSegment(int flags) throws IOException {
        encodeNewStrings();
        long droppedNow = recorder.dropped.get();
        byte[] head = new byte[1 + 3 * Encoding.MAX_VARINT];
        int p = 0;
        head[p++] = (byte) flags;
        p = Encoding.putVar(head, p, sequence);
        p = Encoding.putVar(head, p, droppedNow - droppedReported);
        p = Encoding.putVar(head, p, stringsEncoded);
        long bodyLength = (long) p + stringBytesLength + pendingLength;
        if (bodyLength > Wire.MAX_SEGMENT) {
            throw new IOException("segment of " + bodyLength + " bytes exceeds the format's limit");
        }
        crc.reset();
        crc.update(head, 0, p);
        crc.update(stringBytes, 0, stringBytesLength);
        crc.update(pending, 0, pendingLength);
        byte[] prefix = new byte[Wire.SEGMENT_PREFIX];
        prefix[0] = Wire.SEGMENT_TAG;
        putInt(prefix, 1, (int) bodyLength);
        putInt(prefix, 5, (int) crc.getValue());
        out.write(prefix);
        out.write(head, 0, p);
        out.write(stringBytes, 0, stringBytesLength);
        out.write(pending, 0, pendingLength);
        out.flush();
        bytesWritten += Wire.SEGMENT_PREFIX + bodyLength;
        droppedReported = droppedNow;
        sequence++;
        pendingLength = 0;
    }

    /** Appends the strings interned since the last segment to the encoded table every segment repeats. */
    private void encodeNewStrings() {
        int count = recorder.stringCount();
        String[] table = recorder.strings();
        for (int id = stringsEncoded + 1; id <= count; id++) {
            byte[] utf8 = table[id].getBytes(StandardCharsets.UTF_8);
            int need = stringBytesLength + Encoding.MAX_VARINT + utf8.length;
            if (need > stringBytes.length) {
                stringBytes = Arrays.copyOf(stringBytes, Math.max(need, stringBytes.length * 2));
            }
            stringBytesLength = Encoding.putVar(stringBytes, stringBytesLength, utf8.length);
            System.arraycopy(utf8, 0, stringBytes, stringBytesLength, utf8.length);
            stringBytesLength += utf8.length;
        }
        stringsEncoded = count;
    }

    private static void putInt(byte[] d, int p, int v) {
        d[p] = (byte) (v >>> 24);
        d[p + 1] = (byte) (v >>> 16);
        d[p + 2] = (byte) (v >>> 8);
        d[p + 3] = (byte) v;
    }

    private static void putLong(byte[] d, int p, long v) {
        putInt(d, p, (int) (v >>> 32));
        putInt(d, p + 4, (int) v);
    }
}
