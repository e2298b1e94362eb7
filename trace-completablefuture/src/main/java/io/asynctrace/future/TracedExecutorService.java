package io.asynctrace.future;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link ExecutorService} whose jobs run with their submitter's context; every
 * lifecycle method is the delegate's.
 */
class TracedExecutorService extends TracedExecutor implements ExecutorService {
    private final ExecutorService delegate;

    TracedExecutorService(ExecutorService delegate) {
        super(delegate);
        this.delegate = delegate;
    }

    @Override
    public Future<?> submit(Runnable task) {
        return delegate.submit((Runnable) Job.of(task));
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return delegate.submit(Job.of(task), result);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return delegate.submit((Callable<T>) Job.of(task));
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return delegate.invokeAll(jobs(tasks));
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return delegate.invokeAll(jobs(tasks), timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return delegate.invokeAny(jobs(tasks));
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return delegate.invokeAny(jobs(tasks), timeout, unit);
    }

    private static <T> List<Callable<T>> jobs(Collection<? extends Callable<T>> tasks) {
        List<Callable<T>> jobs = new ArrayList<>(tasks.size());
        for (Callable<T> c : tasks) {
            jobs.add(Job.of(c));
        }
        return jobs;
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    /**
     * Delegates; jobs given to {@link #execute} come back as the caller's own runnables
     * (jobs from {@code submit} are the delegate's futures, as always).
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> pending = delegate.shutdownNow();
        List<Runnable> unwrapped = new ArrayList<>(pending.size());
        for (Runnable r : pending) {
            Runnable user = r instanceof Job ? ((Job<?>) r).unwrap() : null;
            unwrapped.add(user != null ? user : r);
        }
        return unwrapped;
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }
}
