package io.asynctrace.tool;

import io.asynctrace.RuntimeEvents;
import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.Work;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The program of "Where did it wait?": a {@code checkout} task waits for a monitor
 * another thread holds, in {@link #waitForTheLock}; a {@code bake} task sleeps, in
 * {@link #napUntilTheOvenIsHot}. Recorded with JVM runtime events (their stacks on by
 * default) and stacks of 16 frames on asynctrace's own events.
 */
final class WhereDidItWait {
    static final Object LOCK = new Object();
    /** How long the holder keeps the monitor once the waiter is blocked on it, and how long the baker sleeps. */
    static final long WAIT_MILLIS = 200;

    private WhereDidItWait() {
    }

    static void record(Path file) throws Exception {
        // First the same work unrecorded-to-disk: class loading of the first stack walk must not be
        // what the threads wait for in the recording.
        Trace.start(OutputStream.nullOutputStream(), TraceOptions.defaults().withStackDepth(16));
        try {
            warmUp();
        } finally {
            Trace.stop();
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            Trace.start(out, TraceOptions.defaults().withStackDepth(16).withRuntimeEvents(
                    RuntimeEvents.defaults().withBlockingThreshold(Duration.ofMillis(5)).withThreadLifecycle(false)));
            try {
                run();
            } finally {
                Trace.stop();
            }
        }
    }

    private static void run() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        Thread[] waiter = new Thread[1];
        Thread holder = new Thread(() -> {
            synchronized (LOCK) {
                held.countDown();
                Await.until("the checkout thread blocks on the lock", () -> blockedOnTheLock(waiter[0]));
                // On the CPU, not parked or asleep: the profiles show only the others.
                Work.spin(TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS));
            }
        }, "lock-holder");
        holder.start();
        Await.latch("the holder has the lock", held);
        waiter[0] = new Thread(() -> {
            try (Task checkout = Trace.newTask("checkout"); Scope s = checkout.makeCurrent()) {
                Trace.withSpan("pay", WhereDidItWait::waitForTheLock);
            }
        }, "checkout-thread");
        waiter[0].start();
        Thread baker = new Thread(() -> {
            try (Task bake = Trace.newTask("bake"); Scope s = bake.makeCurrent()) {
                Trace.withSpan("oven", WhereDidItWait::napUntilTheOvenIsHot);
            }
        }, "bake-thread");
        baker.start();
        Await.joined(waiter[0], baker, holder);
    }

    private static void warmUp() throws InterruptedException {
        Thread t = new Thread(() -> {
            try (Task warm = Trace.newTask("warm-up"); Scope s = warm.makeCurrent()) {
                Trace.withSpan("warm", () -> Trace.log("warm", "up"));
            }
        });
        t.start();
        Await.joined(t);
    }

    /** Whether {@code t} is blocked entering {@link #LOCK} (not another monitor, such as a class loader's). */
    private static boolean blockedOnTheLock(Thread t) {
        if (t == null || t.getState() != Thread.State.BLOCKED) {
            return false;
        }
        @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
        java.lang.management.ThreadInfo info = java.lang.management.ManagementFactory.getThreadMXBean()
                .getThreadInfo(t.getId());
        return info != null && info.getLockInfo() != null
                && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(LOCK);
    }

    /** Enters the monitor the holder keeps: the block profile's top function. */
    static void waitForTheLock() {
        synchronized (LOCK) {
            Trace.log("lock", "got it");
        }
    }

    /** Sleeps: the sleep profile's top function. */
    static void napUntilTheOvenIsHot() {
        try {
            Thread.sleep(WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
