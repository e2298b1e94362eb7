package io.asynctrace.reactor;

import static io.asynctrace.TaskThreadLocalAccessor.switchBack;
import static io.asynctrace.TaskThreadLocalAccessor.switchTo;

import io.asynctrace.Task;
import java.util.function.Function;

/**
 * The {@code Schedulers.onScheduleHook} installed by {@link ReactorTracing}: the thread
 * hop of {@code publishOn}, {@code subscribeOn}, {@code Mono.delay}, {@code timeout},
 * {@code delayElements}, {@code Flux.interval} and any other work run by a Reactor
 * {@code Scheduler}. The work runs with its task current, and is recorded as a job of
 * that task (queued here, started and finished on the worker thread).
 *
 * <p>The task is the one in the {@code Context} of the subscriber the work delivers
 * to (Reactor's scheduled work is that subscriber, or scans to it), so a shared
 * upstream thread that happens to have another task current cannot mislead it; for
 * work that is no subscriber (a plain {@code Scheduler.schedule(runnable)}), it is the
 * scheduling thread's current task. While tracing is off, or with no task, the
 * runnable is returned as is: nothing allocated, nothing recorded.
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
        Task task = Propagation.taskOf(work);
        if (task == null) {
            task = io.asynctrace.Trace.currentTask();
            if (task == null) {
                return work;
            }
        }
        return new Job(work, task, io.asynctrace.Trace.jobQueued(task));
    }

    /**
     * A runnable run on behalf of a task. A periodic schedule runs the same instance
     * many times: only the first run is recorded as the job (later runs wait for the
     * period, not for a thread), every run has the task current. The worker's own task
     * and span are restored afterwards, whatever the work does (returns, throws, leaves
     * a scope open).
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
            Object token = switchTo(task);
            try {
                io.asynctrace.Trace.jobStarted(id);
                try {
                    work.run();
                } finally {
                    io.asynctrace.Trace.jobFinished(id);
                }
            } finally {
                switchBack(token);
            }
        }

        @Override
        public String toString() {
            return "Job[" + task + ", " + work + "]";
        }
    }
}
