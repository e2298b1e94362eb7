package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Memory stays bounded by configuration whatever the number of threads. */
class ManyThreadsTest {

    @AfterEach
    void stop() {
        Trace.stop();
    }

    @Test
    void platformThreadsBeyondTheLeaseBudgetShareStripes() throws Exception {
        TraceOptions options = TraceOptions.defaults().withMaxBuffers(32).withMaxThreadBuffers(8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Trace.start(out, options);
        Recorder recorder = Recorder.active;
        int threads = 300;
        CountDownLatch allLogged = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                Trace.log("thread", Integer.toString(n));
                allLogged.countDown();
                try {
                    release.await(); // all alive at once
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "p-" + i);
            t.start();
            started.add(t);
        }
        assertThat(allLogged.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.leased.get()).isLessThanOrEqualTo(8);
        assertThat(recorder.allocatedBuffers()).isLessThanOrEqualTo(32);
        release.countDown();
        for (Thread t : started) {
            t.join();
        }
        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.dropped()).isZero();
        Set<String> messages = new HashSet<>();
        for (LogInfo l : m.logs()) {
            messages.add(l.message());
            assertThat(m.threads().get(l.thread())).isEqualTo("p-" + l.message());
        }
        assertThat(messages).hasSize(threads);
    }

    @Test
    @Tag("java21")
    void hundredThousandVirtualThreadsEachLoggingOnce() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21+; run by the java25 execution");
        ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                .invoke(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TraceOptions options = TraceOptions.defaults();
        Trace.start(out, options);
        Recorder recorder = Recorder.active;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            int id = i;
            virtual.execute(() -> {
                try (Task task = Trace.newTask("v"); Scope s = task.makeCurrent()) {
                    Trace.log("i", Integer.toString(id));
                }
            });
        }
        virtual.shutdown();
        assertThat(virtual.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.leased.get()).as("virtual threads never lease a buffer").isZero();
        assertThat(recorder.allocatedBuffers()).isLessThanOrEqualTo(options.maxBuffers());
        Trace.stop();
        TraceModel m = TraceModels.read(out);
        assertThat(m.dropped()).isZero();
        assertThat(m.logs()).hasSize(n);
        assertThat(m.tasks()).hasSize(n).allMatch(t -> t.complete());
        assertThat(m.logs()).allMatch(l -> l.taskId() != 0 && m.task(l.taskId()) != null);
    }
}
