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
}
