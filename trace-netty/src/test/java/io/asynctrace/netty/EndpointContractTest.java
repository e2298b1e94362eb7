package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static io.asynctrace.netty.Endpoints.request;
import static io.asynctrace.netty.Endpoints.send;
import static io.asynctrace.netty.Endpoints.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.RuntimeEvents;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.TraceModels;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The parts of TraceEndpoint's and DebugServer's contract the other endpoint tests do not reach. */
@ExtendWith(NoLeftovers.class)
class EndpointContractTest {
    @AfterEach
    void stop() {
        Endpoints.stopLeftovers();
    }

    @Test
    void theDefaultsAcceptUpToSixtySeconds() {
        assertThat(TraceEndpoint.defaults().maxSeconds()).isEqualTo(60);
        try (DebugServer server = DebugServer.start(0, TraceEndpoint.defaults())) {
            for (String tooLong : List.of("60.5", "61", "3600")) {
                HttpResponse<byte[]> res = get(server.port(), TraceEndpoint.PATH + "?seconds=" + tooLong);
                assertThat(res.statusCode()).as(tooLong).isEqualTo(400);
                assertThat(text(res)).contains("at most 60");
            }
        }
        assertThat(Trace.isEnabled()).isFalse();
    }

    @Test
    void theRecordingUsesTheEndpointsTraceOptions() {
        TraceOptions withRuntime = TraceOptions.defaults().withRuntimeEvents(RuntimeEvents.defaults());
        try (DebugServer server = DebugServer.start(0, TraceEndpoint.defaults().withTraceOptions(withRuntime));
             DebugServer plain = DebugServer.start(0, TraceEndpoint.defaults())) {
            HttpResponse<byte[]> res = Endpoints.traceWhile(server.port(), System::gc);
            TraceModel m = TraceModels.read(res.body());
            assertThat(m.runtime()).as("runtime events, as the options ask")
                    .anyMatch(r -> r.kind() == RuntimeKind.GC_PAUSE || r.kind() == RuntimeKind.UNAVAILABLE);
            TraceModel without = TraceModels.read(Endpoints.traceWhile(plain.port(), System::gc).body());
            assertThat(without.runtime()).as("the default options record none").isEmpty();
        }
    }

    @Test
    void theFlightPathAsksForTheTokenAndOnlyAnswersGet() {
        try (DebugServer secured = DebugServer.start(0, TraceEndpoint.defaults().withBearerToken("s3cret"))) {
            HttpResponse<byte[]> none = get(secured.port(), TraceEndpoint.FLIGHT_PATH);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("www-authenticate").orElseThrow()).startsWith("Bearer");
            assertThat(send(request(secured.port(), TraceEndpoint.FLIGHT_PATH).header("Authorization", "Bearer nope")
                    .build()).statusCode()).isEqualTo(401);
            HttpResponse<byte[]> post = send(request(secured.port(), TraceEndpoint.FLIGHT_PATH)
                    .header("Authorization", "Bearer s3cret").POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("allow")).hasValue("GET");
            assertThat(send(request(secured.port(), TraceEndpoint.FLIGHT_PATH).header("Authorization", "Bearer s3cret")
                    .build()).statusCode()).as("authorized, but no flight recorder runs").isEqualTo(404);
        }
    }

    @Test
    void theTraceComesInChunksOfAtMost64KiB() throws Exception {
        try (DebugServer server = DebugServer.start(0, TraceEndpoint.defaults())) {
            for (double seconds = 1; ; seconds *= 4) {
                Chunked res = fetchChunked(server.port(), seconds);
                if (res.body.length > 3 * ChunkStream.MAX_CHUNK) { // enough to need several chunks
                    assertThat(res.sizes).hasSizeGreaterThan(3).allSatisfy(n -> assertThat(n)
                            .isPositive().isLessThanOrEqualTo(64 * 1024));
                    assertThat(TraceModels.read(res.body).complete()).isTrue();
                    return;
                }
                assertThat(seconds).as("a trace of more than 192 KiB within 16 s").isLessThan(16);
            }
        }
    }

    /** A trace fetched over a raw socket, its body kept chunk by chunk. */
    private record Chunked(List<Integer> sizes, byte[] body) {
    }

    private static Chunked fetchChunked(int port, double seconds) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + TraceEndpoint.PATH + "?seconds=" + seconds + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            Endpoints.awaitTracing(true);
            // Far more than one chunk of events, while the window is open.
            for (int i = 0; i < 20_000 && Trace.isEnabled(); i++) {
                try (Task t = Trace.newTask("bulk")) {
                    t.log("payload", "0123456789abcdefghijklmnopqrstuvwxyz " + i);
                }
            }
            assertThat(line(in)).isEqualTo("HTTP/1.1 200 OK");
            String header;
            boolean chunked = false;
            while (!(header = line(in)).isEmpty()) {
                chunked |= header.equalsIgnoreCase("transfer-encoding: chunked");
            }
            assertThat(chunked).as("Transfer-Encoding: chunked").isTrue();
            List<Integer> sizes = new ArrayList<>();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                sizes.add(size);
                body.write(in.readNBytes(size));
                assertThat(line(in)).as("CRLF after a chunk").isEmpty();
            }
            Endpoints.awaitTracing(false);
            return new Chunked(sizes, body.toByteArray());
        }
    }

    private static String line(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            assertThat(c).as("the response goes on").isNotNegative();
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Test
    void aDebugServerDoesNotKeepTheJvmAlive() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                DebugServerMain.class.getName()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                        new File("/dev/null"))).start();
        try {
            boolean exited = p.waitFor(Await.DEADLINE.toSeconds(), TimeUnit.SECONDS);
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(exited).as("the JVM exits once main returns: %s", output).isTrue();
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output).contains("listening on ");
        } finally {
            p.destroyForcibly();
        }
    }
}
