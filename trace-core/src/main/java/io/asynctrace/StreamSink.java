package io.asynctrace;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A sink writing to an {@link OutputStream} (a {@code Trace.start} output, a live
 * trace over HTTP) from a thread of its own, fed through a bounded queue.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>The stream is written, flushed after every segment, and never closed (unless
 *       made with {@code closeWhenDone}: then closed once this sink is done), by
 *       this sink's thread only, from {@link #start} until {@link #awaitClosed}
 *       returns.</li>
 *   <li>The queue holds at most {@value #MAX_QUEUED} segments and
 *       {@value #MAX_QUEUED_BYTES} bytes (or the bounds given at construction), plus
 *       one segment bigger than the byte bound, taken only into an empty queue (so a
 *       small bound never refuses every segment of an idle sink): a segment offered
 *       past that is not kept,
 *       its events counted as dropped in this sink's next segment and stats. The
 *       writer thread never waits for this sink.</li>
 *   <li>The first {@link IOException} ends this sink: what was written stays a
 *       readable prefix, later segments are discarded, the stats carry the
 *       exception and the failure listener runs once, on this sink's thread.</li>
 * </ul>
 */
final class StreamSink extends Sink implements Runnable {
    static final int MAX_QUEUED = 64;
    static final long MAX_QUEUED_BYTES = 32L << 20;
    private static final Object CLOSE = new Object();

    private final OutputStream out;
    private final int maxQueued;
    private final long maxQueuedBytes;
    private final boolean closeWhenDone;
    private final byte[] header;
    private final Thread thread;
    private final Consumer<StreamSink> onFailure;
    private final CountDownLatch closed = new CountDownLatch(1);

    private final ArrayDeque<Object> queue = new ArrayDeque<>(); // guarded by itself
    private long queuedBytes; // guarded by queue
    private long closeDroppedTotal; // guarded by queue
    private boolean closeComplete; // guarded by queue
    private SegmentBody closeLast; // guarded by queue
    private boolean closing; // guarded by queue
    private long offered; // guarded by queue
    private long delivered; // guarded by queue

    private volatile IOException failure;
    private volatile long bytesWritten;
    private volatile long segmentsWritten;

    /**
     * @param out the stream
     * @param recorder the recording, for the header
     * @param name the thread's name
     * @param onFailure told once when the stream failed
     */
    StreamSink(OutputStream out, Recorder recorder, String name, Consumer<StreamSink> onFailure) {
        this(out, recorder, name, onFailure, MAX_QUEUED, MAX_QUEUED_BYTES, false);
    }

    /**
     * A sink with its own queue bounds, for a {@link io.asynctrace.internal.TraceTap}.
     *
     * @param maxQueued segments queued at most
     * @param maxQueuedBytes bytes of segments queued at most
     * @param closeWhenDone whether this sink's thread closes {@code out} once it is done (after the
     *                      final segment, or when the stream or the recording failed)
     */
    StreamSink(OutputStream out, Recorder recorder, String name, Consumer<StreamSink> onFailure, int maxQueued,
               long maxQueuedBytes, boolean closeWhenDone) {
        super(recorder);
        this.out = out;
        this.maxQueued = maxQueued;
        this.maxQueuedBytes = maxQueuedBytes;
        this.closeWhenDone = closeWhenDone;
        this.header = header(recorder);
        this.onFailure = onFailure;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    void offer(SegmentBody body) {
        if (failure != null || !wants(body)) {
            return;
        }
        synchronized (queue) {
            if (closing) {
                return;
            }
            if (queue.size() >= maxQueued || !queue.isEmpty() && queuedBytes + body.size() > maxQueuedBytes) {
                lost(countOwnEvents(body));
                return;
            }
            queue.addLast(body);
            queuedBytes += body.size();
            offered++;
            queue.notifyAll();
        }
    }

    @Override
    void close(long droppedTotal, boolean complete, SegmentBody last) {
        synchronized (queue) {
            if (closing) {
                return;
            }
            closing = true;
            closeDroppedTotal = droppedTotal;
            closeComplete = complete;
            closeLast = last; // past the queue's bounds: one segment, the last
            queue.addLast(CLOSE);
            queue.notifyAll();
        }
    }

    /** @return segments offered and queued so far */
    long offered() {
        synchronized (queue) {
            return offered;
        }
    }

    /**
     * Waits until the first {@code n} queued segments are written and flushed, or until
     * {@code deadline} ({@code System.nanoTime()}).
     *
     * @return false if this sink failed or closed first, or the deadline passed
     */
    boolean awaitDelivered(long n, long deadline) {
        boolean interrupted = false;
        try {
            synchronized (queue) {
                while (delivered < n && failure == null && closed.getCount() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        queue.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                return delivered >= n;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until this sink wrote its final segment or failed; returns its stats. */
    RecordingStats awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // stop() promises to return once everything is written
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return stats();
    }

    /** @return whether the stream failed */
    boolean failed() {
        return failure != null;
    }

    @Override
    RecordingStats stats() {
        return new RecordingStats(bytesWritten, segmentsWritten, droppedSoFar(), failure);
    }

    @Override
    public void run() {
        try {
            write(header);
            while (true) {
                Object next;
                synchronized (queue) {
                    while (queue.isEmpty()) {
                        queue.wait(TimeUnit.SECONDS.toMillis(1));
                    }
                    next = queue.peekFirst();
                }
                if (next == CLOSE) {
                    long total;
                    boolean complete;
                    SegmentBody last;
                    synchronized (queue) {
                        total = closeDroppedTotal;
                        complete = closeComplete;
                        last = closeLast;
                    }
                    if (!complete) {
                        failure = new IOException("asynctrace: the recording failed before this trace was complete");
                        break;
                    }
                    write(finalSegment(last, total));
                    segmentsWritten++;
                    break;
                }
                SegmentBody body = (SegmentBody) next;
                write(frame(body, 0, body.droppedTotal()));
                segmentsWritten++;
                synchronized (queue) {
                    queue.pollFirst();
                    queuedBytes -= body.size();
                    delivered++;
                    queue.notifyAll();
                }
            }
        } catch (IOException e) {
            fail(e);
        } catch (InterruptedException e) {
            fail(new IOException("asynctrace: sink thread interrupted", e));
        } catch (RuntimeException | Error e) {
            fail(new IOException("asynctrace: sink failed", e));
        } finally {
            synchronized (queue) {
                queue.clear();
                queuedBytes = 0;
                queue.notifyAll();
            }
            if (closeWhenDone) {
                try {
                    out.close();
                } catch (IOException | RuntimeException ignored) {
                    // done with it either way; a failure to close loses nothing written
                }
            }
            closed.countDown();
        }
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        bytesWritten += bytes.length;
    }

    private void fail(IOException e) {
        failure = e;
        synchronized (queue) {
            closing = true;
            for (Object o : queue) {
                if (o instanceof SegmentBody b) {
                    lost(countOwnEvents(b));
                }
            }
            if (closeLast != null && queue.contains(CLOSE)) {
                lost(countOwnEvents(closeLast));
            }
        }
        try {
            onFailure.accept(this);
        } catch (RuntimeException ignored) {
            // the owner's bookkeeping must not hide the sink's failure
        }
    }
}
