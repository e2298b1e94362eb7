package io.asynctrace.benchmarks.peers;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The benchmark thread works under a current asynctrace task, as application code
 * would; the task is created once the recording is on.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class AsynctraceTask {
    private Task task;
    private Scope scope;

    @Setup(Level.Trial)
    public void enter(AsynctraceOn recording) {
        task = Trace.newTask("bench");
        scope = task.makeCurrent();
    }

    @TearDown(Level.Trial)
    public void exit() {
        scope.close();
        task.end();
    }
}
