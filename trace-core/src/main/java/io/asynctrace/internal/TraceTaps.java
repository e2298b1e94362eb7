package io.asynctrace.internal;

import java.util.Arrays;
import java.util.Objects;

/**
 * The registered {@link TraceTap}s: copy on write, read by trace-core's lifecycle owner
 * when a recording starts. For asynctrace's own modules; not a stable API.
 */
public final class TraceTaps {
    /**
     * A registered tap and the bounds of its queue.
     *
     * @param tap the tap
     * @param maxQueuedSegments segments its queue holds before it drops
     * @param maxQueuedBytes bytes of segments its queue holds before it drops
     */
    public record Registered(TraceTap tap, int maxQueuedSegments, long maxQueuedBytes) {
    }

    /** How trace-core's lifecycle owner hears of taps added and removed while a recording may run. */
    public interface Binding {
        /** @param tap added: attach it to the running recording, if any */
        void added(Registered tap);

        /** @param tap removed: detach it from the running recording, if attached */
        void removed(TraceTap tap);
    }

    private static final Registered[] NONE = new Registered[0];
    private static volatile Registered[] taps = NONE;
    private static Binding binding; // guarded by TraceTaps.class

    private TraceTaps() {
    }

    /**
     * Registers {@code tap}: every recording from now on (and the one running) writes its
     * trace to a stream it opens, until {@link #remove}.
     *
     * @param tap the tap, not registered yet
     * @param maxQueuedSegments at least 1
     * @param maxQueuedBytes at least 1
     * @throws IllegalArgumentException if it is registered already or a bound is not positive
     */
    public static void add(TraceTap tap, int maxQueuedSegments, long maxQueuedBytes) {
        Objects.requireNonNull(tap, "tap");
        if (maxQueuedSegments < 1 || maxQueuedBytes < 1) {
            throw new IllegalArgumentException("queue bounds must be positive, were " + maxQueuedSegments + " segments, "
                    + maxQueuedBytes + " bytes");
        }
        Registered added = new Registered(tap, maxQueuedSegments, maxQueuedBytes);
        Binding b;
        synchronized (TraceTaps.class) {
            Registered[] now = taps;
            for (Registered r : now) {
                if (r.tap() == tap) {
                    throw new IllegalArgumentException("this tap is registered already");
                }
            }
            Registered[] next = Arrays.copyOf(now, now.length + 1);
            next[now.length] = added;
            taps = next;
            b = binding;
        }
        if (b != null) { // outside this lock: the binding takes the lifecycle lock, which reads current()
            b.added(added);
        }
    }

    /**
     * Unregisters {@code tap}; the running recording's stream for it gets its final segment
     * (written on trace-core's thread, possibly after this returns) and is closed. Does
     * nothing for a tap not registered.
     *
     * @param tap the tap
     */
    public static void remove(TraceTap tap) {
        Binding b;
        synchronized (TraceTaps.class) {
            Registered[] now = taps;
            int i = 0;
            while (i < now.length && now[i].tap() != tap) {
                i++;
            }
            if (i == now.length) {
                return;
            }
            Registered[] next = new Registered[now.length - 1];
            System.arraycopy(now, 0, next, 0, i);
            System.arraycopy(now, i + 1, next, i, now.length - i - 1);
            taps = next;
            b = binding;
        }
        if (b != null) {
            b.removed(tap);
        }
    }

    /** @return the taps registered now; an empty array when none (do not modify) */
    public static Registered[] current() {
        return taps;
    }

    /**
     * For trace-core's lifecycle owner only, once, as it loads.
     *
     * @param b told of every later add and remove
     * @throws IllegalStateException if bound already
     */
    public static void bind(Binding b) {
        synchronized (TraceTaps.class) {
            if (binding != null) {
                throw new IllegalStateException("TraceTaps is bound already");
            }
            binding = Objects.requireNonNull(b, "binding");
        }
    }
}
