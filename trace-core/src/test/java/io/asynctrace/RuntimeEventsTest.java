package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.TraceModels;
import io.asynctrace.testing.Work;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** JVM runtime events from JDK Flight Recorder land on the right thread, inside the right task. */
class RuntimeEventsTest {
    /**
     * JFR stamps and our clock agree to within this (the offset is the best of a window of
     * markers; on a loaded machine a marker's two clock reads can be a preemption apart).
     * Each task spins {@link #MARGIN} before and after its runtime event, so an event
     * inside the task stays inside its bounds widened by this, and one outside does not.
     */
    private static final long SLACK = 2_000_000L;
    private static final long MARGIN = 2 * SLACK;

    /** Inside a task, around its runtime event: see {@link #SLACK}. */
    private static void margin() {
        Work.spin(MARGIN);
    }

    @AfterEach
    void stop() {
        Trace.stop();
    }

    private static List<RuntimeInfo> inside(TraceModel m, TaskInfo t, long thread, RuntimeKind kind) {
        return m.runtime().stream()
                .filter(r -> r.kind() == kind && r.thread() == thread)
                .filter(r -> r.time() >= t.start() - SLACK && r.end() <= t.end() + SLACK)
                .collect(Collectors.toList());
    }

    /** Whether {@code t} is inside a socket read (NIO's socket implementation, Java 13+). */
    private static boolean inRead(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().equals("sun.nio.ch.NioSocketImpl") && f.getMethodName().equals("implRead")) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    private static long id(Thread t) {
        return t.getId();
    }

    @Test
    void sleepLockParkSocketAndGcShowUpOnTheirThreadsInsideTheirTasks() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, TraceOptions.defaults().withRuntimeEvents(
                RuntimeEvents.defaults().withBlockingThreshold(Duration.ofMillis(5))
                        .withSocketThreshold(Duration.ofMillis(5))));
        long me = id(Thread.currentThread());

        Task sleeper = Trace.newTask("sleeper");
        try (Scope s = sleeper.makeCurrent()) {
            margin();
            Thread.sleep(30);
            margin();
        }
        sleeper.end();

        Object monitor = new Object();
        CountDownLatch held = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        // Each holder lets go only once this thread is seen waiting, then 20 ms later (past the
        // 5 ms threshold): a test thread the scheduler delays still waits, instead of finding the
        // lock free after a fixed sleep.
        Thread holder = new Thread(() -> {
            synchronized (monitor) {
                held.countDown();
                Await.until("the main thread blocks on the monitor", () -> main.getState() == Thread.State.BLOCKED);
                Work.sleep(20);
            }
        }, "holder");
        holder.start();
        held.await();
        Task locker = Trace.newTask("locker");
        margin();
        synchronized (monitor) {
            margin();
            locker.end();
        }
        holder.join();

        ReentrantLock lock = new ReentrantLock();
        CountDownLatch locked = new CountDownLatch(1);
        Thread owner = new Thread(() -> {
            lock.lock();
            try {
                locked.countDown();
                Await.until("the main thread waits for the lock", () -> lock.hasQueuedThread(main));
                Work.sleep(20);
            } finally {
                lock.unlock();
            }
        }, "owner");
        owner.start();
        locked.await();
        Task parker = Trace.newTask("parker");
        margin();
        lock.lock();
        lock.unlock();
        margin();
        parker.end();
        owner.join();

        Task reader;
        int serverPort;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread writer = new Thread(() -> {
                try (Socket c = server.accept(); OutputStream o = c.getOutputStream()) {
                    Await.until("the main thread waits in its socket read", () -> inRead(main));
                    Work.sleep(20);
                    o.write(new byte[100]);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "socket-writer");
            writer.start();
            serverPort = server.getLocalPort();
            reader = Trace.newTask("reader");
            margin();
            try (Socket c = new Socket(server.getInetAddress(), server.getLocalPort()); InputStream in = c.getInputStream()) {
                assertThat(in.readNBytes(100)).hasSize(100);
            }
            margin();
            reader.end();
            writer.join();
        }

        Task collector = Trace.newTask("collector");
        margin();
        System.gc();
        margin();
        collector.end();

        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.runtime()).noneMatch(r -> r.kind() == RuntimeKind.UNAVAILABLE);

        assertThat(inside(m, m.task(sleeper.id()), me, RuntimeKind.THREAD_SLEEP)).singleElement()
                .satisfies(r -> assertThat(r.duration()).isGreaterThanOrEqualTo(25_000_000L));
        assertThat(inside(m, m.task(locker.id()), me, RuntimeKind.MONITOR_ENTER)).singleElement()
                .satisfies(r -> assertThat(r.detail()).isEqualTo("java.lang.Object"));
        TaskInfo pt = m.task(parker.id());
        assertThat(inside(m, pt, me, RuntimeKind.THREAD_PARK)).as("parks of thread %d vs parker [%d, %d]: %s", me, pt.start(), pt.end(),
                m.runtime().stream().filter(r -> r.kind() == RuntimeKind.THREAD_PARK)
                        .map(r -> r.thread() + "@" + (r.time() - pt.start()) + "+" + r.duration()).collect(Collectors.toList())).isNotEmpty();
        assertThat(inside(m, m.task(reader.id()), me, RuntimeKind.SOCKET_READ)).isNotEmpty()
                .allSatisfy(r -> {
                    assertThat(r.detail()).as("the peer's host:port").endsWith(":" + serverPort);
                    assertThat(r.value()).as("bytes read").isPositive();
                });
        assertThat(inside(m, m.task(collector.id()), 0, RuntimeKind.GC_PAUSE)).isNotEmpty();
        assertThat(m.runtime()).anyMatch(r -> r.kind() == RuntimeKind.HEAP_AFTER_GC && r.value() > 0);
        assertThat(m.threads()).containsEntry(0L, "JVM");
        assertThat(m.runtime()).anyMatch(r -> r.kind() == RuntimeKind.THREAD_START && r.detail().equals("holder"));
    }

    @Test
    void whenJfrIsMissingTheTraceSaysWhy() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out);
        JfrBridge.unavailable(Recorder.active, "this Java runtime has no jdk.jfr module (JDK Flight Recorder)");
        Trace.log("still", "traced");
        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.runtime()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(RuntimeKind.UNAVAILABLE);
            assertThat(r.thread()).isZero();
            assertThat(r.detail()).contains("no jdk.jfr module");
        });
        assertThat(m.logs()).hasSize(1);
    }
}
