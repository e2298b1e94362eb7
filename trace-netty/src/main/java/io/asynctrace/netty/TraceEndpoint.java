package io.asynctrace.netty;

import io.asynctrace.TraceOptions;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import java.util.Objects;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * The live trace endpoint, Go's {@code /debug/pprof/trace} for the JVM: {@code GET
 * /debug/asynctrace/trace?seconds=N} records for N seconds and streams the trace back.
 * Immutable configuration; mount it into a Netty pipeline with {@link #newHandler()},
 * into a reactor-netty server with {@link #mountOn(HttpServer)}, or serve it alone
 * with {@link DebugServer}.
 *
 * <pre>{@code
 * TraceEndpoint endpoint = TraceEndpoint.defaults().withMaxSeconds(30).withBearerToken(token);
 * ch.pipeline().addLast(new HttpServerCodec(), endpoint.newHandler(), appHandler);
 * // then: curl -H "Authorization: Bearer $TOKEN" -o app.trace 'http://127.0.0.1:8080/debug/asynctrace/trace?seconds=5'
 * }</pre>
 *
 * <p><b>Contract.</b> Requests whose path starts with {@value #PREFIX} are answered
 * by the endpoint; every other request passes to the next handler untouched.
 * <ul>
 * <li>{@code GET} {@value #PATH}{@code ?seconds=N}: {@code 200}, chunked
 *     {@code application/octet-stream} with {@code Content-Disposition: attachment;
 *     filename="asynctrace-<UTC time>.trace"}. N is a decimal number of seconds,
 *     {@value #DEFAULT_SECONDS} when absent, at most {@link #maxSeconds()}. The
 *     connection closes after the trace.</li>
 * <li>{@code 400} bad {@code seconds}; {@code 401} token configured and the
 *     {@code Authorization: Bearer} header missing or wrong; {@code 404} another path
 *     under the prefix; {@code 405} (with {@code Allow: GET}) another method;
 *     {@code 409} tracing already on in this JVM (one trace at a time, as in Go).</li>
 * <li>{@code GET} {@value #FLIGHT_PATH}: the running {@link io.asynctrace.FlightRecorder}'s
 *     snapshot (what it keeps, up to the request), as above with
 *     {@code filename="asynctrace-flight-<UTC time>.trace"}; {@code 404} when no
 *     flight recorder runs. Never {@code 409}: snapshots are serialised.</li>
 * <li>If the client disconnects mid-stream, the recording is stopped at once and
 *     the next request can start another.</li>
 * </ul>
 * The event loop only parses and writes headers: the recorder's writer thread
 * writes the chunks, waiting while the channel is not writable (memory per slow
 * client is bounded by the channel's write buffer high water mark plus 64 KiB; a
 * client that reads nothing for 30 seconds is disconnected), and
 * a timer thread stops the recording. Do not call {@code Trace.stop()} yourself while
 * an endpoint recording is running.
 */
public final class TraceEndpoint {
    /** The path of the trace: {@value}. */
    public static final String PATH = "/debug/asynctrace/trace";
    /** The path of the flight recorder's snapshot: {@value}. */
    public static final String FLIGHT_PATH = "/debug/asynctrace/flight";
    /** Paths the endpoint answers (404 for those other than {@link #PATH} and {@link #FLIGHT_PATH}): {@value}. */
    public static final String PREFIX = "/debug/asynctrace/";
    /** The window when the request has no {@code seconds}: {@value}. */
    public static final int DEFAULT_SECONDS = 1;

    private static final TraceEndpoint DEFAULTS = new TraceEndpoint(60, null, TraceOptions.defaults());

    private final int maxSeconds;
    private final String bearerToken;
    private final TraceOptions traceOptions;

    private TraceEndpoint(int maxSeconds, String bearerToken, TraceOptions traceOptions) {
        this.maxSeconds = maxSeconds;
        this.bearerToken = bearerToken;
        this.traceOptions = traceOptions;
    }

    /**
     * Returns the defaults: at most 60 seconds, no token, the default {@link TraceOptions}.
     *
     * @return the default endpoint
     */
    public static TraceEndpoint defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with another longest window.
     *
     * @param seconds the largest {@code seconds} accepted, 1 to 86 400
     * @return the new endpoint
     * @throws IllegalArgumentException if {@code seconds} is out of range
     */
    public TraceEndpoint withMaxSeconds(int seconds) {
        if (seconds < 1 || seconds > 86_400) {
            throw new IllegalArgumentException("maxSeconds must be between 1 and 86400, was " + seconds);
        }
        return new TraceEndpoint(seconds, bearerToken, traceOptions);
    }

    /**
     * Returns a copy that requires {@code Authorization: Bearer <token>} (compared in constant time).
     *
     * @param token the token, or null for none
     * @return the new endpoint
     * @throws IllegalArgumentException if {@code token} is empty or has whitespace
     */
    public TraceEndpoint withBearerToken(String token) {
        if (token != null && (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace))) {
            throw new IllegalArgumentException("a bearer token must be non-empty and without whitespace");
        }
        return new TraceEndpoint(maxSeconds, token, traceOptions);
    }

    /**
     * Returns a copy whose recordings use {@code options}. While a
     * {@link io.asynctrace.FlightRecorder} runs, a live trace joins its recording
     * instead, whose options apply.
     *
     * @param options buffer sizing for the recordings
     * @return the new endpoint
     */
    public TraceEndpoint withTraceOptions(TraceOptions options) {
        return new TraceEndpoint(maxSeconds, bearerToken, Objects.requireNonNull(options, "options"));
    }

    /** @return the largest {@code seconds} accepted */
    public int maxSeconds() {
        return maxSeconds;
    }

    /** @return the required bearer token, or null */
    public String bearerToken() {
        return bearerToken;
    }

    /** @return the options of the recordings */
    public TraceOptions traceOptions() {
        return traceOptions;
    }

    /**
     * Returns a new handler for one channel, to add right after an HTTP/1.1 server
     * codec ({@code HttpServerCodec}, or {@code HttpRequestDecoder} and
     * {@code HttpResponseEncoder}), with or without an aggregator. It holds
     * per-connection state: one handler per channel.
     *
     * @return the handler
     */
    public ChannelHandler newHandler() {
        return new EndpointHandler(this);
    }

    /**
     * Mounts the endpoint on every HTTP/1.1 connection of a reactor-netty server: the
     * handler goes right after reactor-netty's codec, so requests under
     * {@value #PREFIX} never reach the server's routes.
     *
     * <pre>{@code
     * DisposableServer server = TraceEndpoint.defaults()
     *         .mountOn(HttpServer.create().host("127.0.0.1").port(8080))
     *         .route(routes -> routes.get("/hello", (req, res) -> res.sendString(Mono.just("hi"))))
     *         .bindNow();
     * }</pre>
     *
     * @param server a reactor-netty server (HTTP/1.1)
     * @return the server with the endpoint mounted
     */
    public HttpServer mountOn(HttpServer server) {
        return server.doOnChannelInit((observer, channel, address) -> {
            ChannelPipeline p = channel.pipeline();
            if (p.get(NettyPipeline.HttpCodec) != null) {
                p.addAfter(NettyPipeline.HttpCodec, "asynctrace.endpoint", newHandler());
            }
        });
    }

    @Override
    public String toString() {
        return "TraceEndpoint[maxSeconds=" + maxSeconds + ", token=" + (bearerToken == null ? "none" : "set")
                + ", " + traceOptions + "]";
    }
}
