package io.asynctrace.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Trace;
import io.asynctrace.internal.TaskEndListener;
import io.asynctrace.internal.TaskEndListeners;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A keep-alive connection keeps being read after a response that came late, from another
 * thread than the connection's event loop: the demo server's always-on soak (a delayed
 * order every few thousand) stalled every wrk connection this way after ~110 s. The
 * client sends each request as soon as the previous response arrived, which is when the
 * server may not have finished the previous exchange yet (reactor-netty 1.3.7 then
 * buffered the request and, in one interleaving, never read the connection again:
 * reactor/reactor-netty#4361, fixed in 1.3.8, which this build pins).
 */
class KeepAliveTest {
    static final int CONNECTIONS = 300;
    static final int REQUESTS = 4;

    @AfterEach
    void stop() {
        Trace.stop();
    }

    @Test
    void everyRequestOnAConnectionIsAnsweredAfterADelayedResponse() throws Exception {
        ByteArrayOutputStream recording = new ByteArrayOutputStream();
        // A task ends when its response's write completes, which can be after the client read it:
        // the check below waits for every order's end before it stops the trace.
        CountDownLatch ended = new CountDownLatch(CONNECTIONS * REQUESTS);
        TaskEndListener onEnd = e -> {
            if ("GET /order".equals(e.type())) {
                ended.countDown();
            }
        };
        TaskEndListeners.add(onEnd);
        Trace.start(recording);
        // On each connection the first order is answered late from a timer thread, the next ones at once.
        try (DemoServer demo = DemoServer.start(0, n -> n % REQUESTS == 1
                ? Mono.just("late " + n).delayElement(Duration.ofMillis(2)) : Mono.just("soon " + n))) {
            for (int c = 0; c < CONNECTIONS; c++) {
                int answered = exchange(demo.port());
                assertThat(answered).as("requests answered on connection %d (each 2 s at most)", c).isEqualTo(REQUESTS);
            }
        }
        boolean allEnded = ended.await(10, TimeUnit.SECONDS);
        TaskEndListeners.remove(onEnd);
        assertThat(allEnded).as("every order's task ended within 10 s of its answer (%d left)", ended.getCount()).isTrue();
        Trace.stop();
        TraceModel model = TraceModel.read(new ByteArrayInputStream(recording.toByteArray()));
        List<TaskInfo> orders = model.tasks().stream().filter(t -> "GET /order".equals(t.type()))
                .collect(Collectors.toList());
        assertThat(orders).as("one task per request").hasSize(CONNECTIONS * REQUESTS)
                .allSatisfy(t -> assertThat(t.outcome()).isEqualTo("200"));
    }

    /** Sends {@link #REQUESTS} requests one after another on one connection; returns how many got an answer. */
    private static int exchange(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            int answered = 0;
            try {
                for (int i = 0; i < REQUESTS; i++) {
                    out.write("GET /order HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (!readResponse(in)) {
                        return answered;
                    }
                    answered++;
                }
            } catch (SocketTimeoutException e) {
                return answered;
            }
            return answered;
        }
    }

    /** Reads one response with a {@code content-length} body; false at end of stream. */
    private static boolean readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        assertThat(lower).startsWith("http/1.1 200");
        int at = lower.indexOf("content-length:");
        assertThat(at).as("a content-length in %s", head).isGreaterThanOrEqualTo(0);
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        return in.readNBytes(length).length == length;
    }
}
