package io.asynctrace.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link OutputStream} a recording writes into: bytes become HTTP chunks on one channel.
 *
 * <p><b>Assumptions and guarantees.</b> One thread writes (a live trace's output thread,
 * or a flight snapshot's download thread; never an event loop); {@link #flush()} sends
 * what was written as one chunk (the recording flushes once per segment), and a chunk is also sent whenever
 * {@value #MAX_CHUNK} bytes are pending. Before sending, the writer waits while the
 * channel is not writable (the handler wakes it when the channel is writable again, or
 * closed), so memory held for a slow client is bounded by the
 * channel's high water mark plus one chunk; a client that reads nothing for
 * 30 seconds is disconnected. Once the channel is closed, writes are
 * discarded rather than failed: the recording stays on until the endpoint stops it,
 * so no other recording can start in between and be stopped by this one's timer.
 * The bytes are copied: the recorder reuses its arrays.
 */
final class ChunkStream extends OutputStream {
    static final int MAX_CHUNK = 64 * 1024;
    /** A fallback only: writability changes and the channel closing wake the writer. */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A client that reads nothing for this long is disconnected, so that the recording can end. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Waits for the channel begun, in all streams (a test's evidence that a client stalled a download). */
    static final AtomicLong WAITS = new AtomicLong();
    /**
     * Waits, in all streams, that ended on the {@link #WAIT_NANOS} fallback with no {@link #wake()}
     * and found the channel ready: a wake-up that never came (a test checks there are none).
     */
    static final AtomicLong MISSED_WAKES = new AtomicLong();

    private final ChannelHandlerContext ctx;
    private final Object lock = new Object();
    /** Set by {@link #wake()}, cleared by the writer before each wait; under {@link #lock}. */
    private boolean woken;
    private ByteBuf pending;
    private long bytes;
    /** False while the response's headers are not sent yet: sending waits for {@link #open()}. */
    private volatile boolean open = true;

    ChunkStream(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Makes sending wait until {@link #open()}: for a response whose headers are sent after the trace starts. */
    void holdUntilOpen() {
        open = false;
    }

    /**
     * Nothing will be sent on this channel (its event loop is gone, though the channel may
     * still say it is active): writes are discarded from now on, never waited for.
     */
    void discard() {
        discarding = true;
        wake();
    }

    private volatile boolean discarding;

    /** The headers are sent: chunks may follow. */
    void open() {
        open = true;
        wake();
    }

    /** @return bytes handed to the channel so far */
    long bytesSent() {
        return bytes;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        while (len > 0 && !discarding && ctx.channel().isActive()) {
            ByteBuf p = pending;
            if (p == null) {
                p = ctx.alloc().buffer(Math.min(Math.max(len, 4096), MAX_CHUNK));
                pending = p;
            }
            int n = Math.min(len, MAX_CHUNK - p.readableBytes()); // chunks of at most MAX_CHUNK bytes
            p.writeBytes(b, off, n);
            off += n;
            len -= n;
            if (p.readableBytes() >= MAX_CHUNK) {
                flush();
            }
        }
    }

    /** Sends the pending bytes as one chunk, first waiting (off the event loop) until the channel is writable. */
    @Override
    public void flush() {
        ByteBuf p = pending;
        if (p == null) {
            return;
        }
        pending = null;
        if (!awaitWritable()) {
            p.release();
            return;
        }
        bytes += p.readableBytes();
        ctx.writeAndFlush(new DefaultHttpContent(p), ctx.voidPromise());
    }

    /** Frees what was not sent; called after the recording stopped. */
    @Override
    public void close() {
        ByteBuf p = pending;
        pending = null;
        if (p != null) {
            p.release();
        }
    }

    /** Called by the handler when writability changes or the channel closes. */
    void wake() {
        synchronized (lock) {
            woken = true;
            lock.notifyAll();
        }
    }

    /** @return false if the channel closed */
    private boolean awaitWritable() {
        if (ctx.executor().inEventLoop()) {
            return ctx.channel().isActive(); // never block an event loop; the queue may grow by one chunk
        }
        boolean interrupted = false;
        long since = System.nanoTime();
        synchronized (lock) {
            while (!ready()) {
                long now = System.nanoTime();
                if (now - since > STALL_NANOS) {
                    ctx.channel().close(); // the handler then stops the recording
                    break;
                }
                WAITS.incrementAndGet();
                woken = false;
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, WAIT_NANOS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (!woken && !interrupted && System.nanoTime() - now >= WAIT_NANOS && ready()) {
                    MISSED_WAKES.incrementAndGet();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !discarding && ctx.channel().isActive();
    }

    /** @return whether the writer may go on: the channel writable and open, or nothing to wait for any more */
    private boolean ready() {
        return discarding || !ctx.channel().isActive() || (open && ctx.channel().isWritable());
    }
}
