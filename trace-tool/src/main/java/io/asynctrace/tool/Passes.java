package io.asynctrace.tool;

import java.util.ArrayList;
import java.util.List;

/**
 * The view's whole-file passes besides the first one (the index and histograms of another
 * filter or grouping): they run <b>one at a time</b>, on a thread of their own, so that no
 * request ever waits for one (it is answered "queued" or "running" at once) and, on a big
 * trace, the file is read by two passes at most (this one and the first).
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>{@link #submit} queues a pass; when the running one ends, the queued pass asked for
 *       most recently ({@link #asked}) runs next: the page's current choice goes first.</li>
 *   <li>{@link #abandon} (a pass dropped from its cache) takes a queued pass out of the queue,
 *       so it never runs, and tells a running one to stop: its {@link Pass#checkAbandoned()}
 *       throws {@link Abandoned} at the pass's next segment.</li>
 *   <li>{@link #close()} abandons every pass; passes submitted later are abandoned at once.</li>
 *   <li>An exception or error out of a pass is the pass's own business ({@link Pass#run()}
 *       records it); the thread goes on with the next.</li>
 * </ul>
 */
final class Passes implements AutoCloseable {
    /** Thrown out of an abandoned pass, at a segment boundary. */
    static final class Abandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandoned() {
            super("pass abandoned", null, false, false);
        }
    }

    /** One whole-file pass. */
    abstract static class Pass {
        /** What it makes, for the page ("the histograms for --where region=ap"). */
        final String what;
        /** Set when nobody will read what it makes: it stops at its next segment. */
        volatile boolean abandoned;
        /** Guarded by the {@link Passes}: when it was last asked for; 0 once it runs. */
        private long asked;
        /** {@link System#nanoTime()} when it was last asked for, queued or running. */
        private volatile long askedAt;
        private volatile boolean started;
        private volatile boolean ended;

        Pass(String what) {
            this.what = what;
        }

        /** Reads the file; records its outcome itself (thrown: only {@link Abandoned}, ignored). */
        abstract void run();

        /** Called once when the pass is abandoned (an index sets its own flag); any thread. */
        void onAbandon() {
        }

        /** @throws Abandoned if the pass was abandoned: a handler calls it at each segment */
        final void checkAbandoned() {
            if (abandoned) {
                throw new Abandoned();
            }
        }

        /** @return {@code h}, stopping at a segment boundary once the pass is abandoned */
        final io.asynctrace.reader.TraceHandler stopping(io.asynctrace.reader.TraceHandler h) {
            io.asynctrace.reader.TraceHandler check = new io.asynctrace.reader.TraceHandler() {
                @Override
                public void onSegment(long sequence, long offset, long dropped) {
                    checkAbandoned();
                }
            };
            return new TeeHandler(check, h);
        }

        /** @return how long ago, in ns, the pass was last asked for (made, or asked again) */
        final long sinceAsked() {
            return System.nanoTime() - askedAt;
        }

        /** @return whether the pass has started reading */
        final boolean started() {
            return started;
        }

        /** @return whether the pass is over (done, failed or abandoned) */
        final boolean ended() {
            return ended;
        }
    }

    private final String threadName;
    /** Guarded by this. */
    private final List<Pass> queue = new ArrayList<>();
    private Pass running;
    private long clock;
    private boolean closed;
    private Thread thread;
    /** Passes that started and were stopped by {@link #abandon} or {@link #close()} before their end. */
    private volatile long stoppedMidway;

    /** @param threadName the name of the passes' thread */
    Passes(String threadName) {
        this.threadName = threadName;
    }

    /** Queues {@code pass} (abandoned at once after {@link #close()}). */
    synchronized void submit(Pass pass) {
        if (closed) {
            stop(pass);
            pass.ended = true;
            return;
        }
        pass.asked = ++clock;
        pass.askedAt = System.nanoTime();
        queue.add(pass);
        if (thread == null) {
            thread = new Thread(this::loop, threadName);
            thread.setDaemon(true);
            thread.start();
        }
        notifyAll();
    }

    /** {@code pass} was asked for again: if still queued, it goes before those asked for earlier. */
    synchronized void asked(Pass pass) {
        pass.askedAt = System.nanoTime();
        if (queue.contains(pass)) {
            pass.asked = ++clock;
        }
    }

    /** @return how many passes run before {@code pass} starts, as things stand (0 once it runs) */
    synchronized int ahead(Pass pass) {
        if (!queue.contains(pass)) {
            return 0;
        }
        int n = running != null ? 1 : 0;
        for (Pass p : queue) {
            if (p != pass && p.asked > pass.asked) {
                n++;
            }
        }
        return n;
    }

    /** Nobody will read what {@code pass} makes: it never starts, or stops at its next segment. */
    synchronized void abandon(Pass pass) {
        stop(pass);
        if (queue.remove(pass)) {
            pass.ended = true;
        }
    }

    /** Abandons every pass, queued or running. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Pass p : queue) {
            stop(p);
            p.ended = true;
        }
        queue.clear();
        if (running != null) {
            stop(running);
        }
        notifyAll();
    }

    private static void stop(Pass pass) {
        if (!pass.abandoned) {
            pass.abandoned = true;
            pass.onAbandon();
        }
    }

    /** @return how many passes were stopped, abandoned, before their end */
    long stoppedMidway() {
        return stoppedMidway;
    }

    private void loop() {
        for (;;) {
            Pass next;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                next = queue.get(0);
                for (Pass p : queue) {
                    if (p.asked > next.asked) {
                        next = p;
                    }
                }
                queue.remove(next);
                next.asked = 0;
                next.started = true;
                running = next;
            }
            try {
                next.run();
            } catch (Abandoned e) {
                stoppedMidway++; // nobody reads it; one thread writes the count
            } catch (RuntimeException | Error e) {
                // run() records its failures; anything else must not end the thread.
            } finally {
                next.ended = true;
                synchronized (this) {
                    running = null;
                }
            }
        }
    }
}
