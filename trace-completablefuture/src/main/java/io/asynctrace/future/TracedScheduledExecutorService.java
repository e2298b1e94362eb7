package io.asynctrace.future;

import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} whose jobs run with their submitter's context.
 * Delayed and periodic jobs carry the context but record no job events: their time
 * before running is a requested delay, not a wait for a thread, and a periodic
 * job runs many times under one submission.
 */
final class TracedScheduledExecutorService extends TracedExecutorService implements ScheduledExecutorService {
    private final ScheduledExecutorService delegate;

    TracedScheduledExecutorService(ScheduledExecutorService delegate) {
        super(delegate);
        this.delegate = delegate;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return delegate.schedule(unqueued(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        if (callable == null) {
            throw new NullPointerException("callable");
        }
        return delegate.schedule((Callable<V>) Job.of(callable, Propagation.capture(), 0), delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return delegate.scheduleAtFixedRate(unqueued(command), initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return delegate.scheduleWithFixedDelay(unqueued(command), initialDelay, delay, unit);
    }

    private static Runnable unqueued(Runnable command) {
        if (command == null) {
            throw new NullPointerException("command");
        }
        return Job.of(command, Propagation.capture(), 0);
    }
}
