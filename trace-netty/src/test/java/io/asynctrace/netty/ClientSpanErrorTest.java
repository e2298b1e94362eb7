package io.asynctrace.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import io.asynctrace.Trace;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.netty.http.client.HttpClient;
import reactor.util.context.Context;

/** A traced client's request that fails after it was sent: its span ends with the documented {@code error} attribute. */
@ExtendWith(NoLeftovers.class)
class ClientSpanErrorTest {

    @Test
    void aConnectionClosedBeforeTheResponseEndsTheSpanWithTheError() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread rude = new Thread(() -> {
                try (Socket c = server.accept(); InputStream in = c.getInputStream()) {
                    readRequestHead(in);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } // closed without a response
            }, "rude-server");
            rude.start();
            HttpClient client = TracedHttp.client(HttpClient.create().disableRetry(true) // one request, one span
                    .baseUrl("http://127.0.0.1:" + server.getLocalPort()));
            Recording rec = Recording.start();
            Task caller = Trace.newTask("caller");
            assertThatThrownBy(() -> client.get().uri("/hang-up").responseContent().aggregate().asString()
                    .contextWrite(Context.of(TaskThreadLocalAccessor.KEY, caller))
                    .block(Duration.ofSeconds(20))).isNotNull();
            caller.end();
            Await.joined(rude);
            TraceModel m = rec.awaitRecorded("the client span ended", t -> TraceModels.spans(t, "http.client GET")
                    .stream().allMatch(SpanInfo::hasEnd));
            m = rec.stop();
            SpanInfo call = TraceModels.onlySpan(m, "http.client GET");
            assertThat(call.taskId()).isEqualTo(caller.id());
            assertThat(call.hasEnd()).isTrue();
            assertThat(call.attributes()).containsKey("error").doesNotContainKey("http.status");
            assertThat(call.attributes().get("error")).as("the exception's class").matches("[a-zA-Z_.$]+");
        }
    }

    private static void readRequestHead(InputStream in) throws Exception {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }
}
