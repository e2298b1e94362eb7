package io.asynctrace.tool;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP server behind {@code asynctrace view}: one page and a JSON API over a trace
 * file, on the loopback interface only.
 *
 * <ul>
 *   <li>{@code GET /} the page (a zoomable timeline of the whole trace, task types with
 *       SVG latency histograms, instances, one task's breakdown and event log);</li>
 *   <li>{@code GET /api/summary?where=W&group_by=KEY} the {@code summary --json} object,
 *       with histograms (503 while the first pass runs);</li>
 *   <li>{@code GET /api/timeline?where=W&group_by=KEY} lanes (task lanes split by KEY's
 *       values), time range and indexing progress;</li>
 *   <li>{@code GET /api/window?from=NS&to=NS&bins=N&where=W&group_by=KEY} one timeline
 *       window ({@link TimelineWindow});</li>
 *   <li>{@code GET /api/tasks?type=T&min=NS&max=NS&limit=N&where=W} the completed tasks of
 *       type T with {@code min <= duration < max}, slowest first, as {@code tasks --json};</li>
 *   <li>{@code GET /api/task?id=ID[&from=NS&to=NS]} one task as a {@code tasks --json}
 *       element (with its lifetime, read from the segments holding it only).</li>
 * </ul>
 * {@code where} is repeatable, one {@code --where} term each (or several separated by
 * spaces). The file is indexed on a background thread ({@link ViewData}) while the page
 * serves the part indexed so far; queries run on two worker threads, so memory stays
 * bounded as for the CLI.
 * Requests whose {@code Host} is not a loopback name are refused (DNS rebinding).
 */
final class ViewServer implements AutoCloseable {
    /** Instances returned per bucket by default. */
    static final int DEFAULT_LIMIT = 100;

    private final ViewData data;
    private final ViewOptions options;
    private final byte[] page;
    private final java.util.Map<String, byte[]> scripts = new java.util.HashMap<>();
    private final EventLoopGroup group;
    private final ExecutorService worker;
    private final Channel channel;
    private final int port;

    /**
     * What the page starts with: the {@code view} command's {@code --where},
     * {@code --group-by}, {@code --from} and {@code --to}.
     */
    record ViewOptions(List<String> where, String groupBy, String from, String to) {
        static final ViewOptions NONE = new ViewOptions(List.of(), null, null, null);
    }

    private ViewServer(Path file, int port, PrintWriter progress, ViewOptions options) throws InterruptedException {
        TaskFilter initial = TaskFilter.parse(options.where(), options.from(), options.to());
        this.options = options;
        this.data = new ViewData(file, progress);
        this.page = resource("view.html");
        for (String js : List.of("common.js", "timeline.js", "view.js")) {
            scripts.put("/" + js, resource(js));
        }
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.worker = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "asynctrace-view-query-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        if (initial.hasWindow()) {
            // Only the window's tasks in the histograms as well.
            worker.execute(() -> data.summary(initial, options.groupBy()));
        }
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                    new Handler());
                        }
                    });
            this.channel = b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully();
            worker.shutdownNow();
            data.close();
            throw e;
        }
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Reads the trace's summary and starts serving.
     *
     * @param file the trace
     * @param port the port, 0 for any free one
     * @param progress where a progress bar goes, or null
     * @return the running server
     * @throws ToolException if the file is not a readable trace or the port is taken
     * @throws InterruptedException if interrupted while binding
     */
    static ViewServer start(Path file, int port, PrintWriter progress) throws InterruptedException {
        return start(file, port, progress, ViewOptions.NONE);
    }

    /**
     * As {@link #start(Path, int, PrintWriter)}, with the page's initial filter, grouping and window.
     *
     * @throws ToolException also for a malformed option
     */
    static ViewServer start(Path file, int port, PrintWriter progress, ViewOptions options) throws InterruptedException {
        try {
            return new ViewServer(file, port, progress, options);
        } catch (ToolException e) {
            throw e;
        } catch (RuntimeException e) {
            // Netty reports a taken port as a BindException thrown through sync().
            throw new ToolException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), 1);
        }
    }

    /** @return the port the server listens on */
    int port() {
        return port;
    }

    /** @return the page's address */
    String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** Blocks until the server is closed. */
    void awaitClose() throws InterruptedException {
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        worker.shutdownNow();
        data.close();
    }

    private static byte[] resource(String name) {
        try (InputStream in = ViewServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTP answer: status, content type, body. */
    record Answer(HttpResponseStatus status, String type, byte[] body) {
        static Answer json(String s) {
            return new Answer(HttpResponseStatus.OK, "application/json; charset=utf-8", s.getBytes(StandardCharsets.UTF_8));
        }

        static Answer error(HttpResponseStatus status, String message) {
            return new Answer(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    Answer answer(String method, String uri, String host) {
        if (host == null || !isLoopbackHost(host)) {
            return Answer.error(HttpResponseStatus.FORBIDDEN, "asynctrace view answers only loopback host names");
        }
        if (!"GET".equals(method)) {
            return Answer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET");
        }
        QueryStringDecoder q = new QueryStringDecoder(uri);
        try {
            switch (q.path()) {
                case "/":
                case "/index.html":
                    return new Answer(HttpResponseStatus.OK, "text/html; charset=utf-8", page);
                case "/common.js":
                case "/timeline.js":
                case "/view.js":
                    return new Answer(HttpResponseStatus.OK, "text/javascript; charset=utf-8", scripts.get(q.path()));
                case "/api/summary": {
                    String s = data.summary(filter(q), groupBy(q));
                    if (s == null) {
                        return data.failure() != null ? Answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, data.failure())
                                : Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "still indexing " + data.file);
                    }
                    return Answer.json(s);
                }
                case "/api/options":
                    return Answer.json(optionsJson());
                case "/api/timeline":
                    return Answer.json(data.timeline(filter(q), groupBy(q)));
                case "/api/window": {
                    long from = Long.parseLong(param(q, "from", "0"));
                    long to = Long.parseLong(param(q, "to", "0"));
                    int bins = Integer.parseInt(param(q, "bins", "1000"));
                    return Answer.json(data.window(filter(q), groupBy(q), from, to, bins));
                }
                case "/api/tasks": {
                    String type = param(q, "type", null);
                    long min = Long.parseLong(param(q, "min", "0"));
                    long max = Long.parseLong(param(q, "max", "-1"));
                    int limit = Integer.parseInt(param(q, "limit", Integer.toString(DEFAULT_LIMIT)));
                    return Answer.json(tasksJson(Tasks.find(data.file, type, min, max, Math.max(1, limit), false, filter(q),
                            null).tasks(), false));
                }
                case "/api/task": {
                    TaskReport found = data.task(Long.parseLong(param(q, "id", "0")), Long.parseLong(param(q, "from", "-1")),
                            Long.parseLong(param(q, "to", "-1")));
                    if (found == null) {
                        return Answer.error(HttpResponseStatus.NOT_FOUND, "no such task");
                    }
                    return Answer.json(tasksJson(List.of(found), true));
                }
                default:
                    return Answer.error(HttpResponseStatus.NOT_FOUND, "not found: " + q.path());
            }
        } catch (NumberFormatException e) {
            return Answer.error(HttpResponseStatus.BAD_REQUEST, "bad number: " + e.getMessage());
        } catch (ToolException e) {
            return Answer.error(e.exitCode() == ToolException.BAD_INPUT && e.getMessage().startsWith("--")
                    ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        }
    }

    private static TaskFilter filter(QueryStringDecoder q) {
        return ViewData.filter(q.parameters().get("where"), param(q, "from_filter", null), param(q, "to_filter", null));
    }

    private static String groupBy(QueryStringDecoder q) {
        return param(q, "group_by", null);
    }

    private String optionsJson() {
        StringWriter s = new StringWriter();
        JsonWriter j = new JsonWriter(s);
        j.beginObject().name("where").beginArray();
        for (String w : options.where()) {
            j.value(w);
        }
        j.endArray().field("group_by", options.groupBy());
        TaskFilter f = TaskFilter.parse(List.of(), options.from(), options.to());
        j.name("from").valueOrNull(f.from() == Long.MIN_VALUE ? -1 : f.from());
        j.name("to").valueOrNull(f.to() == Long.MAX_VALUE ? -1 : f.to());
        j.endObject();
        return s.toString();
    }

    private static String tasksJson(List<TaskReport> tasks, boolean single) {
        StringWriter s = new StringWriter();
        JsonWriter j = new JsonWriter(s);
        if (single) {
            tasks.get(0).json(j);
        } else {
            j.beginArray();
            for (TaskReport t : tasks) {
                t.json(j);
            }
            j.endArray();
        }
        return s.toString();
    }

    private static String param(QueryStringDecoder q, String name, String fallback) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? fallback : v.get(0);
    }

    static boolean isLoopbackHost(String host) {
        String h = host;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            h = close < 0 ? h : h.substring(1, close);
        } else if (h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equals("127.0.0.1") || h.equals("localhost") || h.equals("::1");
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String method = req.method().name();
            String uri = req.uri();
            String host = req.headers().get(HttpHeaderNames.HOST);
            boolean head = HttpMethod.HEAD.equals(req.method());
            worker.execute(() -> {
                Answer a;
                try {
                    a = answer(head ? "GET" : method, uri, host);
                } catch (Throwable e) { // an Error too (out of memory): the request gets an answer, not a hang
                    a = Answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + ViewData.oneLine(e));
                }
                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, a.status(),
                        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(a.body()));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, a.type());
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, a.body().length);
                res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                res.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
