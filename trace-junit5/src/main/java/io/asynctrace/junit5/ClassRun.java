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
    final AtomicInteger tests = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();

    ClassRun(Task task, Path file, FlightRecorder flight) {
        this.task = task;
        this.file = file;
        this.flight = flight;
    }

    /** @return true for the one caller that gets to end the class and write its file */
    boolean finish() {
        return finished.compareAndSet(false, true);
    }
}
