package io.asynctrace.otel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The live exporter's hand-off of one recording's trace: trace-core's tap thread writes the
 * segments into it, the exporter's thread reads them with a {@code TraceReader} from
 * {@link #input}.
 *
 * <p><b>Assumptions and guarantees.</b> It holds at most {@code capacity} bytes (one write
 * larger than that is taken when the pipe is empty): a writer that finds it full waits —
 * that is trace-core's tap thread, never an application thread, and while it waits the tap's
 * own bounded queue fills and then drops whole segments, counted. {@link #close()} (the tap
 * thread, once its trace is done) lets the reader see the end after the bytes still held.
 * {@link #abandon()} (the reader gone) makes every later write fail at once, so the tap
 * thread never waits for a reader that will not come back. While the reader waits for bytes
 * it runs its idle action at least every {@code idleNanos}, on its own thread and outside
 * the pipe's lock.
 */
final class LivePipe extends OutputStream {
    private final long capacity;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(); // guarded by this
    private long held; // guarded by this
    private boolean closed; // guarded by this
    private boolean abandoned; // guarded by this

    /** @param capacity bytes held at most */
    LivePipe(long capacity) {
        this.capacity = capacity;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len); // the caller may reuse its array
        boolean interrupted = false;
        try {
            synchronized (this) {
                while (!abandoned && !closed && held > 0 && held + len > capacity) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                        abandoned = true;
                    }
                }
                if (abandoned || closed) {
                    throw new IOException("asynctrace: the live exporter stopped reading");
                }
                chunks.addLast(copy);
                held += len;
                notifyAll();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The writer is done: the reader sees the end after what is held. */
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** The reader is done: what is held is let go and later writes fail. */
    synchronized void abandon() {
        abandoned = true;
        chunks.clear();
        held = 0;
        notifyAll();
    }

    /**
     * @param idleNanos how often {@code idle} runs while the reader waits
     * @param idle what the reader does meanwhile (sending a batch that is due)
     * @return the reading side; for one thread
     */
    InputStream input(long idleNanos, Runnable idle) {
        return new InputStream() {
            private byte[] head;
            private int headPos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (true) {
                    if (head != null) {
                        int n = Math.min(len, head.length - headPos);
                        System.arraycopy(head, headPos, b, off, n);
                        headPos += n;
                        if (headPos == head.length) {
                            release(head.length);
                            head = null;
                        }
                        return n;
                    }
                    if (!take(idleNanos)) {
                        return -1;
                    }
                    if (head == null) {
                        idle.run(); // waited idleNanos for nothing
                    }
                }
            }

            /** @return false at the end; sets {@link #head} unless the wait timed out */
            private boolean take(long waitNanos) throws IOException {
                synchronized (LivePipe.this) {
                    if (chunks.isEmpty() && !closed && !abandoned) {
                        try {
                            TimeUnit.NANOSECONDS.timedWait(LivePipe.this, waitNanos);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new java.io.InterruptedIOException("asynctrace: the live exporter was interrupted");
                        }
                    }
                    head = chunks.pollFirst();
                    headPos = 0;
                    return head != null || (!closed && !abandoned);
                }
            }

            private void release(int bytes) {
                synchronized (LivePipe.this) {
                    held -= bytes;
                    LivePipe.this.notifyAll();
                }
            }
        };
    }
}
