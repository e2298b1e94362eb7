package io.asynctrace.junit5;

import io.asynctrace.FlightRecorder;
import io.asynctrace.Task;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One recorded test class: its task, its file, and counts its tests update from any thread. */
final class ClassRun {
    final Task task;
    final Path file;
    final FlightRecorder flight;
    /** This class's hold on the shared flight recorder, let go once its file is written. */
    final SharedRecorder.Lease lease;
    final AtomicInteger tests = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();

    ClassRun(Task task, Path file, SharedRecorder.Lease lease) {
        this.task = task;
        this.file = file;
        this.flight = lease.flight();
        this.lease = lease;
    }

    /** @return true for the one caller that gets to end the class and write its file */
    boolean finish() {
        return finished.compareAndSet(false, true);
    }
}
