package io.asynctrace.future;

import io.asynctrace.Trace;
import io.micrometer.context.ContextSnapshot;
import java.util.concurrent.Callable;

/**
 * One unit of user work handed to an executor, with the context of the code that
 * handed it over: created on the submitting thread (which captures the context and
 * records "queued"), run on a worker (which installs the context, records "started"
 * and "finished", and restores the worker's own context afterwards, also when the
 * work throws).
 *
 * @param <V> the result type of a callable job; {@code Void} for a runnable one
 */
final class Job<V> implements Runnable, Callable<V> {
    private final Runnable runnable;
    private final Callable<V> callable;
    private final ContextSnapshot snapshot;
    private final long id;

    private Job(Runnable runnable, Callable<V> callable, ContextSnapshot snapshot, long id) {
        this.runnable = runnable;
        this.callable = callable;
        this.snapshot = snapshot;
        this.id = id;
    }

    /** A job for {@code r}, queued now on behalf of the calling thread's context. */
    static Job<Void> of(Runnable r) {
        if (r == null) {
            throw new NullPointerException("runnable");
        }
        return new Job<>(r, null, Propagation.capture(), Trace.jobQueued());
    }

    /** A job for {@code c}, queued now on behalf of the calling thread's context. */
    static <V> Job<V> of(Callable<V> c) {
        if (c == null) {
            throw new NullPointerException("callable");
        }
        return new Job<>(null, c, Propagation.capture(), Trace.jobQueued());
    }

    /** A job with an explicit context and id (0: record no job events), for stages and periodic schedules. */
    static Job<Void> of(Runnable r, ContextSnapshot snapshot, long id) {
        return new Job<>(r, null, snapshot, id);
    }

    /** A callable job with an explicit context and id (0: record no job events). */
    static <V> Job<V> of(Callable<V> c, ContextSnapshot snapshot, long id) {
        return new Job<>(null, c, snapshot, id);
    }

    /** @return the user's runnable, for {@code shutdownNow()}; null for a callable job */
    Runnable unwrap() {
        return runnable;
    }

    @Override
    public void run() {
        try (ContextSnapshot.Scope ignored = Propagation.install(snapshot)) {
            Trace.jobStarted(id);
            try {
                runnable.run();
            } finally {
                Trace.jobFinished(id);
            }
        }
    }

    @Override
    public V call() throws Exception {
        try (ContextSnapshot.Scope ignored = Propagation.install(snapshot)) {
            Trace.jobStarted(id);
            try {
                return callable.call();
            } finally {
                Trace.jobFinished(id);
            }
        }
    }

    @Override
    public String toString() {
        return "Job[" + (runnable != null ? runnable : callable) + "]";
    }
}
