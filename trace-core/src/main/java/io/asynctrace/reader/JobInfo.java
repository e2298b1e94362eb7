package io.asynctrace.reader;

/**
 * A job handed to an executor on behalf of a task: when it was queued, started and
 * finished, and on which threads; a time is meaningful only where its {@code has} flag is set.
 */
public final class JobInfo {
    final long id;
    CallStack queuedStack;
    long taskId;
    long queued;
    boolean hasQueued;
    long queuedThread = -1;
    long started;
    boolean hasStarted;
    long finished;
    boolean hasFinished;
    long runThread = -1;

    JobInfo(long id) {
        this.id = id;
    }

    /** @return the job id */
    public long id() {
        return id;
    }

    /** @return the task it ran for, or 0 */
    public long taskId() {
        return taskId;
    }

    /** @return whether the queued time is known */
    public boolean hasQueued() {
        return hasQueued;
    }

    /** @return when it was queued */
    public long queued() {
        return queued;
    }

    /** @return the submitting thread, or -1 */
    public long queuedThread() {
        return queuedThread;
    }

    /** @return whether the start time is known */
    public boolean hasStarted() {
        return hasStarted;
    }

    /** @return when it started running */
    public long started() {
        return started;
    }

    /** @return whether the finish time is known */
    public boolean hasFinished() {
        return hasFinished;
    }

    /** @return when it finished */
    public long finished() {
        return finished;
    }

    /** @return the thread that ran it, or -1 */
    public long runThread() {
        return runThread;
    }

    /** @return time from queued to started, or -1 if either is unknown */
    public long waitNanos() {
        return hasQueued && hasStarted ? started - queued : -1;
    }

    /** @return time from started to finished, or -1 if either is unknown */
    public long runNanos() {
        return hasStarted && hasFinished ? finished - started : -1;
    }
    /** @return where the job was queued (recordings with a stack depth), or null */
    public CallStack queuedStack() {
        return queuedStack;
    }

}
