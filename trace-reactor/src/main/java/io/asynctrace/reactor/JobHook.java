package io.asynctrace.reactor;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import java.util.function.Function;

/**
 * The {@code Schedulers.onScheduleHook} installed by {@link ReactorTracing}: work
 * scheduled while a task is current on the scheduling thread becomes a job of that
 * task. It records queued (here), started and finished (on the worker thread), and
 * makes the task current while the work runs, restoring the worker's previous
 * task afterwards whatever the work does (returns, throws, leaves a scope open).
 *
 * <p>While tracing is off, or when no task is current, the runnable is returned as
 * is: nothing allocated, nothing recorded.
 */
final class JobHook implements Function<Runnable, Runnable> {
    static final JobHook INSTANCE = new JobHook();

    private JobHook() {
    }

    @Override
    public Runnable apply(Runnable work) {
        if (!io.asynctrace.Trace.isEnabled()) {
            return work;
        }
        Task task = io.asynctrace.Trace.currentTask();
        if (task == null) {
            return work;
        }
        return new Job(work, task, io.asynctrace.Trace.jobQueued());
    }

    /**
     * A runnable run on behalf of a task. A periodic schedule runs the same instance
     * many times: only the first run is recorded as the job (later runs wait for the
     * period, not for a thread), every run has the task current.
     */
    static final class Job implements Runnable {
        private final Runnable work;
        private final Task task;
        /** Confined to the worker: a scheduler never runs one task concurrently with itself. */
        private long job;

        Job(Runnable work, Task task, long job) {
            this.work = work;
            this.task = task;
            this.job = job;
        }

        @Override
        public void run() {
            long id = job;
            job = 0;
            try (Scope s = task.makeCurrent()) {
                io.asynctrace.Trace.jobStarted(id);
                try {
                    work.run();
                } finally {
                    io.asynctrace.Trace.jobFinished(id);
                }
            }
        }

        @Override
        public String toString() {
            return "Job[" + task + ", " + work + "]";
        }
    }
}
