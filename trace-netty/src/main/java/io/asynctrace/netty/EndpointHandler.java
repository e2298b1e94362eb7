package io.asynctrace.netty;

import io.asynctrace.FlightRecorder;
import io.asynctrace.RecordingStats;
import io.asynctrace.Trace;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves {@link TraceEndpoint#PATH} on one channel, behind an HTTP/1.1 server codec.
 *
 * <p>Requests under {@link TraceEndpoint#PREFIX} are answered here (the request's
 * body is discarded); every other request, and its body, goes on to the next handler.
 * All work on the event loop is parsing and writing headers: the recording is
 * started and stopped from {@link Recording#TIMER} ({@code Trace.start} may wait
 * for JFR to start, or for a stopping recording), and writes from its own sink
 * thread.
 */
final class EndpointHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(EndpointHandler.class.getName());
    /** Set while an endpoint recording runs (from before Trace.start until after Trace.stop returned). */
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /** The 200 header saying whether the trace started a recording with the endpoint's options or joined a running one. */
    static final String RECORDING_HEADER = "Asynctrace-Recording";
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final TraceEndpoint config;
    /** The body of the current request goes to the next handler. */
    private boolean forwarding;
    /** The body of the current request is ours and discarded. */
    private boolean discarding;
    /** The trace being streamed on this channel, or null. */
    private Recording recording;
    /** A flight snapshot is being streamed: nothing else may write on this connection, which closes after it. */
    private boolean streaming;
    /** The stream of that flight snapshot, woken when the channel's writability changes. */
    private volatile ChunkStream flightOut;
    /** A trace is being started off the event loop for this channel. */
    private boolean starting;

    EndpointHandler(TraceEndpoint config) {
        this.config = config;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (recording != null || streaming || starting) {
            // Pipelined behind a trace: nothing else may write on this connection, which closes after the trace.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            HttpRequest req = (HttpRequest) msg;
            String path = new QueryStringDecoder(req.uri()).path();
            forwarding = !path.startsWith(TraceEndpoint.PREFIX);
            discarding = !forwarding;
            if (forwarding) {
                ctx.fireChannelRead(msg);
            } else {
                try {
                    serve(ctx, req);
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
            if (msg instanceof LastHttpContent) {
                forwarding = discarding = false;
            }
            return;
        }
        if (forwarding) {
            ctx.fireChannelRead(msg);
        } else if (discarding) {
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof LastHttpContent) {
            forwarding = discarding = false;
        }
    }

    private void serve(ChannelHandlerContext ctx, HttpRequest req) {
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean flight = query.path().equals(TraceEndpoint.FLIGHT_PATH);
        if (!flight && !query.path().equals(TraceEndpoint.PATH)) {
            respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "not found: try " + TraceEndpoint.PATH + "?seconds=N\n");
            return;
        }
        if (!authorized(req)) {
            FullHttpResponse res = response(HttpResponseStatus.UNAUTHORIZED, "missing or wrong bearer token\n");
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"asynctrace\"");
            send(ctx, keepAlive, res);
            return;
        }
        if (!HttpMethod.GET.equals(req.method())) {
            FullHttpResponse res = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is allowed\n");
            res.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
            send(ctx, keepAlive, res);
            return;
        }
        if (flight) {
            serveFlight(ctx, keepAlive);
            return;
        }
        long millis = parseMillis(query.parameters().get("seconds"));
        if (millis < 0) {
            respond(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST,
                    "seconds must be a decimal number greater than 0 and at most " + config.maxSeconds() + "\n");
            return;
        }
        // The endpoint's own guard first: Trace.start takes a lock that a stopping recording holds while
        // its last bytes go to a (possibly slow) client, and the event loop must not wait for that.
        if (!BUSY.compareAndSet(false, true)) {
            respond(ctx, keepAlive, HttpResponseStatus.CONFLICT,
                    "a trace is already being recorded in this JVM; try again when it is done\n");
            return;
        }
        ChunkStream out = new ChunkStream(ctx);
        out.holdUntilOpen(); // its first bytes wait for the 200 headers, sent once the trace has started
        starting = true;
        try {
            Recording.TIMER.execute(() -> startOffLoop(ctx, keepAlive, out, millis));
        } catch (RejectedExecutionException e) {
            starting = false;
            BUSY.set(false);
            respond(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the trace could not start: the endpoint's timer has shut down\n");
        }
    }

    /**
     * On the timer thread: Trace.start can block for seconds (JFR start, a recording still
     * stopping). Whatever happens, the endpoint is left free again unless a trace is
     * streaming: a start that failed (an exception or an Error) answers and clears
     * {@code BUSY}; a trace that started on a channel whose event loop is gone is stopped.
     */
    private void startOffLoop(ChannelHandlerContext ctx, boolean keepAlive, ChunkStream out, long millis) {
        HttpResponseStatus status = null;
        String why = null;
        boolean started = false;
        try {
            // One step: joins a running (flight) recording as it is, else starts with this endpoint's options.
            started = Trace.startOrJoin(out, config.traceOptions());
        } catch (IllegalStateException e) {
            status = HttpResponseStatus.CONFLICT; // tracing is on already, or the recording ended as it joined
            why = "the trace could not start: " + e.getMessage() + "; try again when it is done\n";
        } catch (RuntimeException | Error e) {
            status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            why = "the trace could not start: " + e + "\n";
        }
        HttpResponseStatus refused = status;
        String reason = why;
        String recordingHeader = started ? "started" : "joined";
        if (!ctx.channel().isActive()) {
            abandon(refused == null, out); // the client or the server went away while the trace started
            return;
        }
        try {
            ctx.executor().execute(() -> {
                starting = false;
                if (refused != null) {
                    BUSY.set(false);
                    respond(ctx, keepAlive, refused, reason);
                    return;
                }
                // Headers go out before any chunk: the sink's first write waits for open().
                HttpResponse headers = traceHeaders("asynctrace-");
                headers.headers().set(RECORDING_HEADER, recordingHeader);
                ctx.writeAndFlush(headers);
                out.open();
                recording = new Recording(ctx, out, millis);
                if (!ctx.channel().isActive()) {
                    recording.stopSoon();
                }
            });
        } catch (RuntimeException | Error e) {
            // The channel's event loop has shut down (RejectedExecutionException), or its executor failed
            // otherwise: nobody will stream this trace, and the endpoint must not stay busy.
            abandon(refused == null, out);
        }
    }

    /**
     * Off the event loop: a trace nobody will stream (its channel or its event loop is gone)
     * is stopped at once and the endpoint freed; its stream discards what is written (a
     * channel whose loop has ended may still say it is active, and would be waited for).
     */
    private static void abandon(boolean started, ChunkStream out) {
        out.discard();
        try {
            if (started) {
                Trace.stop();
            }
        } finally {
            out.close();
            BUSY.set(false);
        }
    }

    /** Streams the running flight recorder's snapshot, written on the timer thread (it waits for the recorder). */
    private void serveFlight(ChannelHandlerContext ctx, boolean keepAlive) {
        FlightRecorder f = FlightRecorder.running();
        if (f == null) {
            respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "no flight recorder is running in this JVM\n");
            return;
        }
        ChunkStream out = new ChunkStream(ctx);
        ctx.writeAndFlush(traceHeaders("asynctrace-flight-"));
        streaming = true;
        flightOut = out;
        // Its own thread: a slow download must not delay the timer that stops live traces.
        Thread writer = new Thread(() -> {
            try {
                f.writeTo(out);
            } catch (IOException | IllegalStateException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "asynctrace: flight snapshot to " + ctx.channel().remoteAddress()
                        + " ended early: " + e);
                ctx.close(); // the client sees a cut response, not a complete trace
            }
            out.close();
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            }
        }, "asynctrace-flight-download");
        writer.setDaemon(true);
        writer.start();
    }

    /** The 200 headers of a streamed trace, its file name starting with {@code prefix}. */
    private static HttpResponse traceHeaders(String prefix) {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        String file = prefix + ZonedDateTime.now(ZoneOffset.UTC).format(FILE_TIME) + ".trace";
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                .set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + file + "\"")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return res;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Recording r = recording;
        if (r != null) {
            r.out.wake();
        }
        ChunkStream f = flightOut;
        if (f != null) {
            f.wake();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ChunkStream f = flightOut;
        if (f != null) {
            f.wake();
        }
        Recording r = recording;
        if (r != null) {
            r.out.wake();
            r.stopSoon(); // the client went away: stop now rather than at the deadline
        }
        ctx.fireChannelInactive();
    }

    private boolean authorized(HttpRequest req) {
        String token = config.bearerToken();
        if (token == null) {
            return true;
        }
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the window in milliseconds, or -1 if {@code values} is not one number in (0, max] */
    private long parseMillis(List<String> values) {
        if (values == null || values.isEmpty()) {
            return 1000L * TraceEndpoint.DEFAULT_SECONDS;
        }
        String v = values.get(0);
        if (values.size() != 1 || !v.matches("[0-9]{1,9}(\\.[0-9]{1,9})?")) {
            return -1;
        }
        double seconds = Double.parseDouble(v);
        if (seconds <= 0 || seconds > config.maxSeconds()) {
            return -1;
        }
        return Math.max(1, (long) Math.ceil(seconds * 1000));
    }

    static FullHttpResponse response(HttpResponseStatus status, String text) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        return res;
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String text) {
        send(ctx, keepAlive, response(status, text));
    }

    static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
        HttpUtil.setKeepAlive(res, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** One trace streamed on a channel: stopped by its deadline or by the channel closing, once. */
    static final class Recording implements Runnable {
        static final ScheduledExecutorService TIMER = Timer.INSTANCE;

        final ChunkStream out;
        private final ChannelHandlerContext ctx;
        private final ScheduledFuture<?> deadline;
        private final AtomicBoolean stopped = new AtomicBoolean();

        Recording(ChannelHandlerContext ctx, ChunkStream out, long millis) {
            this.ctx = ctx;
            this.out = out;
            this.deadline = TIMER.schedule(this, millis, TimeUnit.MILLISECONDS);
        }

        void stopSoon() {
            if (!stopped.get()) {
                deadline.cancel(false);
                TIMER.execute(this);
            }
        }

        /** On the timer thread: {@link Trace#stop()} waits for the writer, which may wait for the client. */
        @Override
        public void run() {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            RecordingStats stats;
            try {
                stats = Trace.stop();
            } finally {
                BUSY.set(false);
            }
            out.close();
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                LOG.log(System.Logger.Level.DEBUG, () -> "asynctrace: trace sent to " + ctx.channel().remoteAddress()
                        + ": " + stats);
            } else {
                LOG.log(System.Logger.Level.DEBUG, () -> "asynctrace: client " + ctx.channel().remoteAddress()
                        + " went away; trace stopped after " + out.bytesSent() + " bytes: " + stats);
            }
        }
    }
}
