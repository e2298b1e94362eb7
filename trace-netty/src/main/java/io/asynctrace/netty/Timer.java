package io.asynctrace.netty;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The one daemon thread that stops endpoint recordings: never an event loop, since stopping waits for the writer. */
final class Timer {
    static final ScheduledThreadPoolExecutor INSTANCE;

    static {
        INSTANCE = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "asynctrace-endpoint-timer");
            t.setDaemon(true);
            return t;
        });
        INSTANCE.setRemoveOnCancelPolicy(true);
    }

    private Timer() {
    }
}
