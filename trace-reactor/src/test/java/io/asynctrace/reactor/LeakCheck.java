package io.asynctrace.reactor;

import io.asynctrace.Task;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.scheduler.Schedulers;

/**
 * A strict leak detector: an outermost {@code onScheduleHook} that checks, around every
 * piece of work any Reactor scheduler runs, that the worker thread has no current task
 * before and after it. Install it after {@link ReactorTracing#install()} so that it
 * wraps asynctrace's own hook.
 */
final class LeakCheck implements AutoCloseable {
    private static final String KEY = "io.asynctrace.reactor.test.leak-check";

    final List<String> leaks = new CopyOnWriteArrayList<>();
    final AtomicLong runs = new AtomicLong();

    private LeakCheck() {
    }

    static LeakCheck install() {
        LeakCheck c = new LeakCheck();
        Schedulers.onScheduleHook(KEY, work -> () -> {
            Task before = Trace.currentTask();
            try {
                work.run();
            } finally {
                Task after = Trace.currentTask();
                c.runs.incrementAndGet();
                if (before != null || after != null) {
                    c.leaks.add(Thread.currentThread().getName() + ": before=" + before + " after=" + after);
                }
            }
        });
        return c;
    }

    @Override
    public void close() {
        Schedulers.resetOnScheduleHook(KEY);
    }
}
