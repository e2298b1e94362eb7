package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asynctrace.reader.RuntimeInfo;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.Work;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What {@link RuntimeEvents} documents, each on its own: the thresholds leave shorter
 * events out, thread start and end (and {@code withThreadLifecycle(false)}), socket
 * writes, virtual-thread pinning on Java 21+.
 */
@ExtendWith(NoLeftovers.class)
class RuntimeEventOptionsTest {

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    private static long id(Thread t) {
        return t.getId();
    }

    private static List<RuntimeInfo> on(TraceModel m, long thread, RuntimeKind kind) {
        return m.runtime().stream().filter(r -> r.thread() == thread && r.kind() == kind).collect(Collectors.toList());
    }

    @Test
    void blockingShorterThanTheThresholdIsLeftOut() {
        Duration threshold = Duration.ofMillis(40);
        Recording rec = Recording.start(TraceOptions.defaults().withRuntimeEvents(
                RuntimeEvents.defaults().withBlockingThreshold(threshold)));
        Work.sleep(1);
        Work.sleep(2);
        Work.sleep(60);
        TraceModel m = rec.stop();
        List<RuntimeInfo> sleeps = on(m, id(Thread.currentThread()), RuntimeKind.THREAD_SLEEP);
        // The 60 ms sleep is there; the short ones only if a loaded machine stretched them past the threshold.
        assertThat(sleeps).isNotEmpty().allSatisfy(r -> assertThat(r.duration()).isGreaterThanOrEqualTo(threshold.toNanos()));
        assertThat(sleeps).anySatisfy(r -> assertThat(r.duration()).isGreaterThanOrEqualTo(55_000_000L));
    }

    @Test
    void threadStartAndEndAreRecordedUnlessTurnedOff() {
        Recording rec = Recording.start(TraceOptions.defaults().withRuntimeEvents(RuntimeEvents.defaults()));
        Thread born = new Thread(() -> Trace.log("in", "born"), "born-and-gone");
        born.start();
        Await.joined(born);
        TraceModel m = rec.stop();
        assertThat(on(m, id(born), RuntimeKind.THREAD_START)).singleElement()
                .satisfies(r -> assertThat(r.detail()).isEqualTo("born-and-gone"));
        assertThat(on(m, id(born), RuntimeKind.THREAD_END)).hasSize(1);

        Recording off = Recording.start(TraceOptions.defaults().withRuntimeEvents(
                RuntimeEvents.defaults().withThreadLifecycle(false)));
        Thread quiet = new Thread(() -> Trace.log("in", "quiet"), "quiet-thread");
        quiet.start();
        Await.joined(quiet);
        TraceModel q = off.stop();
        assertThat(q.logs()).extracting(l -> l.message()).containsExactly("quiet");
        assertThat(q.runtime()).noneMatch(r -> r.kind() == RuntimeKind.THREAD_START || r.kind() == RuntimeKind.THREAD_END);
    }

    @Test
    void socketWritesAreRecordedWithTheirBytesAndPeer() throws Exception {
        Recording rec = Recording.start(TraceOptions.defaults().withRuntimeEvents(
                RuntimeEvents.defaults().withSocketThreshold(Duration.ZERO)));
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            Thread reader = new Thread(() -> {
                try (Socket c = server.accept(); InputStream in = c.getInputStream()) {
                    in.readNBytes(4096);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "socket-reader");
            reader.start();
            try (Socket c = new Socket(server.getInetAddress(), port); OutputStream out = c.getOutputStream()) {
                out.write(new byte[4096]);
            }
            Await.joined(reader);
        }
        TraceModel m = rec.stop();
        assertThat(on(m, id(Thread.currentThread()), RuntimeKind.SOCKET_WRITE)).isNotEmpty().allSatisfy(r -> {
            assertThat(r.detail()).endsWith(":" + port);
            assertThat(r.value()).isPositive();
        });
        assertThat(on(m, id(Thread.currentThread()), RuntimeKind.SOCKET_WRITE).stream().mapToLong(RuntimeInfo::value).sum())
                .isEqualTo(4096);
    }

    /** Blocks in its class initializer: a virtual thread initialising it is pinned (still so on Java 24+). */
    static final class SlowToInitialise {
        static {
            Work.sleep(40);
        }

        static void touch() {
        }
    }

    @Test
    @Tag("java21")
    void aPinnedVirtualThreadIsRecordedOnJava21AndLater() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21+, this is Java "
                + Runtime.version().feature() + ": the java25 surefire execution (profile jdk25-tests) runs it");
        ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                .invoke(null);
        Recording rec = Recording.start(TraceOptions.defaults().withRuntimeEvents(
                RuntimeEvents.defaults().withBlockingThreshold(Duration.ofMillis(10))));
        long pinned = Await.value("the virtual thread", virtual.submit(() -> {
            SlowToInitialise.touch();
            return id(Thread.currentThread());
        }));
        Await.terminated(virtual);
        TraceModel m = rec.stop();
        assertThat(on(m, pinned, RuntimeKind.VIRTUAL_THREAD_PINNED)).isNotEmpty()
                .allSatisfy(r -> assertThat(r.duration()).isGreaterThanOrEqualTo(10_000_000L));
    }
}
