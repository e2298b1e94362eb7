package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.TraceModels;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The endpoint starts a trace off the event loop: a Trace.start that blocks does not block the loop. */
@ExtendWith(NoLeftovers.class)
class EndpointStartTest {
    @AfterEach
    void stop() {
        Endpoints.stopLeftovers();
    }

    /** Whether the endpoint's start of a trace is blocked (on whichever thread it runs): on a lock of trace-core's. */
    private static boolean aTraceStartIsBlocked() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> e.getKey().getState() == Thread.State.BLOCKED
                && java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(EndpointHandler.class.getName())));
    }

    @Test
    void theEventLoopAnswersOtherRequestsWhileATraceStartIsBlocked() throws Exception {
        // Trace.start takes the lifecycle owner's lock (io.asynctrace.Recordings): held here, a start waits for it,
        // as it waits for JFR to start or for a recording that is still stopping.
        Object lifecycleLock = Class.forName("io.asynctrace.Recordings");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (lifecycleLock) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "holds-the-lifecycle-lock");
        // One event loop thread (DebugServer's): a start on it would hold up every connection.
        try (DebugServer server = DebugServer.start(0, TraceEndpoint.defaults())) {
            holder.start();
            Await.latch("the lock held", held);
            CompletableFuture<HttpResponse<byte[]>> trace = Endpoints.getAsync(server.port(),
                    TraceEndpoint.PATH + "?seconds=0.2");
            try {
                Await.until("the endpoint's Trace.start blocked", EndpointStartTest::aTraceStartIsBlocked);
                HttpResponse<byte[]> other = get(server.port(), TraceEndpoint.PREFIX + "no-such-page");
                assertThat(other.statusCode()).as("answered while the start is blocked").isEqualTo(404);
                assertThat(trace).isNotDone();
            } finally {
                release.countDown();
                Await.joined(holder);
            }
            HttpResponse<byte[]> res = Await.value("the trace, once the start went through", trace);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(TraceModels.read(res.body()).complete()).isTrue();
        }
    }

    /**
     * Review 13 item 9: a trace whose start went through after its channel's event loop shut down
     * (the answer could not be scheduled) stayed on with nobody to stop it, and every later
     * request was answered 409.
     */
    @Test
    void aTraceStartedAfterItsEventLoopShutDownIsStoppedAndTheEndpointFreed() throws Exception {
        Object lifecycleLock = Class.forName("io.asynctrace.Recordings");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (lifecycleLock) {
                held.countDown();
                Await.latch("the server closed", release);
            }
        }, "holds-the-lifecycle-lock");
        DebugServer server = DebugServer.start(0, TraceEndpoint.defaults());
        try {
            holder.start();
            Await.latch("the lock held", held);
            Endpoints.getAsync(server.port(), TraceEndpoint.PATH + "?seconds=30");
            Await.until("the endpoint's Trace.start blocked", EndpointStartTest::aTraceStartIsBlocked);
        } finally {
            server.close(); // its event loop ends while the start waits
            release.countDown();
            Await.joined(holder);
        }
        Await.until("the endpoint's start went through", () -> !aTraceStartIsBlocked());
        try (DebugServer again = DebugServer.start(0, TraceEndpoint.defaults())) {
            // The endpoint is freed just after the trace stops: retry a 409 until then (it stayed 409 forever).
            Await.until("the endpoint is free again (200, not 409)",
                    () -> get(again.port(), TraceEndpoint.PATH + "?seconds=0.05").statusCode() == 200);
        }
        Await.until("no trace left on", () -> !io.asynctrace.Trace.isEnabled());
    }

    /** Review 13b DOCS 7: whether the endpoint's trace started a recording with its options or joined a running one. */
    @Test
    void theAnswerSaysWhetherTheTraceStartedOrJoinedARecording() throws Exception {
        try (DebugServer server = DebugServer.start(0, TraceEndpoint.defaults())) {
            HttpResponse<byte[]> alone = get(server.port(), TraceEndpoint.PATH + "?seconds=0.05");
            assertThat(alone.statusCode()).isEqualTo(200);
            assertThat(alone.headers().firstValue(EndpointHandler.RECORDING_HEADER)).hasValue("started");
            io.asynctrace.FlightRecorder flight = new io.asynctrace.FlightRecorder(java.time.Duration.ofSeconds(5), 8 << 20);
            flight.start();
            try {
                HttpResponse<byte[]> beside = get(server.port(), TraceEndpoint.PATH + "?seconds=0.05");
                assertThat(beside.statusCode()).isEqualTo(200);
                assertThat(beside.headers().firstValue(EndpointHandler.RECORDING_HEADER)).hasValue("joined");
                assertThat(TraceModels.read(beside.body()).complete()).isTrue();
            } finally {
                flight.stop();
            }
        }
        Await.until("no trace left on", () -> !io.asynctrace.Trace.isEnabled());
    }

    /**
     * RISK 6 (7652a73): the answer of a started trace scheduled on a channel's executor that
     * fails otherwise than by a RejectedExecutionException (here an IllegalStateException):
     * the trace is stopped and the endpoint freed, as when the event loop has shut down.
     */
    @Test
    @SuppressWarnings("deprecation") // a handler on an executor of its own: ChannelPipeline.addLast(group, ...)
    void aTraceWhoseAnswerCannotBeScheduledForAnyReasonIsStoppedAndTheEndpointFreed() throws Exception {
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        FailingFromTheTimer failing = new FailingFromTheTimer(refused);
        io.netty.channel.embedded.EmbeddedChannel channel = new io.netty.channel.embedded.EmbeddedChannel();
        try {
            channel.pipeline().addLast(failing, "endpoint", TraceEndpoint.defaults().newHandler());
            channel.writeInbound(new io.netty.handler.codec.http.DefaultFullHttpRequest(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET,
                    TraceEndpoint.PATH + "?seconds=30"));
            Await.until("the endpoint's timer tried to schedule the answer", () -> refused.get() > 0);
            Await.until("the trace nobody will stream is stopped", () -> !io.asynctrace.Trace.isEnabled());
            try (DebugServer again = DebugServer.start(0, TraceEndpoint.defaults())) {
                Await.until("the endpoint is free again (200, not 409)",
                        () -> get(again.port(), TraceEndpoint.PATH + "?seconds=0.05").statusCode() == 200);
            }
        } finally {
            channel.finishAndReleaseAll();
            failing.inner.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
        Await.until("no trace left on", () -> !io.asynctrace.Trace.isEnabled());
    }

    /** A channel executor whose {@code execute} fails (not a rejection) when the endpoint's timer calls it. */
    private static final class FailingFromTheTimer extends io.netty.util.concurrent.AbstractEventExecutor {
        final io.netty.util.concurrent.DefaultEventExecutor inner = new io.netty.util.concurrent.DefaultEventExecutor();
        private final java.util.concurrent.atomic.AtomicInteger refused;

        FailingFromTheTimer(java.util.concurrent.atomic.AtomicInteger refused) {
            this.refused = refused;
        }

        @Override
        public void execute(Runnable task) {
            if (Thread.currentThread().getName().equals("asynctrace-endpoint-timer")) {
                refused.incrementAndGet();
                throw new IllegalStateException("this executor takes no task from the endpoint's timer");
            }
            inner.execute(task);
        }

        @Override
        public boolean inEventLoop(Thread thread) {
            return inner.inEventLoop(thread);
        }

        @Override
        public boolean isShuttingDown() {
            return inner.isShuttingDown();
        }

        @Override
        public io.netty.util.concurrent.Future<?> shutdownGracefully(long quiet, long timeout,
                                                                     java.util.concurrent.TimeUnit unit) {
            return inner.shutdownGracefully(quiet, timeout, unit);
        }

        @Override
        public io.netty.util.concurrent.Future<?> terminationFuture() {
            return inner.terminationFuture();
        }

        @Override
        @Deprecated
        public void shutdown() {
            inner.shutdownGracefully();
        }

        @Override
        public boolean isShutdown() {
            return inner.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return inner.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
            return inner.awaitTermination(timeout, unit);
        }
    }
}
