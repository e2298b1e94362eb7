package io.asynctrace.future;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * An {@link Executor} that runs each job with the context of its submitter and
 * records queued, started and finished for it. Base of the service wrappers.
 */
class TracedExecutor implements Executor {
    private final Executor delegate;

    TracedExecutor(Executor delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** @return the wrapped executor */
    Executor delegate() {
        return delegate;
    }

    @Override
    public void execute(Runnable command) {
        delegate.execute(Job.of(command));
    }

    @Override
    public String toString() {
        return "Traced[" + delegate + "]";
    }
}
