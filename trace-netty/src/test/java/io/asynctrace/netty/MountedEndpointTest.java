package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.get;
import static io.asynctrace.netty.Endpoints.model;
import static io.asynctrace.netty.Endpoints.request;
import static io.asynctrace.netty.Endpoints.send;
import static io.asynctrace.netty.Endpoints.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
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
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/** The endpoint inside an application's own pipeline: plain Netty, and a reactor-netty HttpServer. */
@ExtendWith(NoLeftovers.class)
class MountedEndpointTest {
    @AfterEach
    void stop() {
        Endpoints.stopLeftovers();
    }

    @Test
    void plainNettyPipelinePassesOtherRequestsAndTheirBodiesOn() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(),
                                    TraceEndpoint.defaults().newHandler(),
                                    new HttpObjectAggregator(1 << 20),
                                    new EchoApp());
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();

            HttpResponse<byte[]> echo = send(request(port, "/app/echo")
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))).build());
            assertThat(echo.statusCode()).isEqualTo(200);
            assertThat(text(echo)).isEqualTo("POST /app/echo 100000 bytes");

            HttpResponse<byte[]> res = Endpoints.traceWhile(port, () -> {
                try (Task t = Trace.newTask("mounted")) {
                    t.log("where", "plain netty");
                }
                // the application keeps serving on other connections while a trace streams
                assertThat(text(get(port, "/app/ping"))).isEqualTo("GET /app/ping 0 bytes");
            });
            assertThat(res.statusCode()).isEqualTo(200);
            TraceModel model = model(res.body());
            assertThat(model.tasks()).anyMatch(t -> "mounted".equals(t.type()));
            assertThat(get(port, "/debug/asynctrace/nope").statusCode()).isEqualTo(404);
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void reactorNettyServerWithReactorNettyClient() {
        DisposableServer server = TraceEndpoint.defaults().withMaxSeconds(10)
                .mountOn(HttpServer.create().host("127.0.0.1").port(0))
                .route(r -> r.get("/hello", (req, res) -> res.sendString(Mono.just("hi"))))
                .bindNow();
        try {
            HttpClient client = HttpClient.create().baseUrl("http://127.0.0.1:" + server.port());
            assertThat(client.get().uri("/hello").responseContent().aggregate().asString().block(Duration.ofSeconds(10)))
                    .isEqualTo("hi");

            byte[] trace = Endpoints.traceWhile(seconds -> client.get().uri(TraceEndpoint.PATH + "?seconds=" + seconds)
                    .responseSingle((res, body) -> {
                        assertThat(res.status().code()).isEqualTo(200);
                        assertThat(res.responseHeaders().get(HttpHeaderNames.CONTENT_DISPOSITION))
                                .startsWith("attachment; filename=\"asynctrace-");
                        return body.asByteArray();
                    }).toFuture(), () -> {
                        try (Task t = Trace.newTask("mounted")) {
                            t.log("where", "reactor-netty");
                        }
                        assertThat(client.get().uri("/hello").responseContent().aggregate().asString()
                                .block(Duration.ofSeconds(10))).isEqualTo("hi");
                    }, Endpoints::everyTaskEnded);
            TraceModel model = model(trace);
            assertThat(model.complete()).isTrue();
            assertThat(model.logs()).anyMatch(l -> l.message().equals("reactor-netty"));

            int tooLong = client.get().uri(TraceEndpoint.PATH + "?seconds=11").response()
                    .map(res -> res.status().code()).block(Duration.ofSeconds(10));
            assertThat(tooLong).isEqualTo(400);
            int missing = client.get().uri("/nowhere").response()
                    .map(res -> res.status().code()).block(Duration.ofSeconds(10));
            assertThat(missing).isEqualTo(404); // reactor-netty's own 404: the app's namespace is untouched
        } finally {
            server.disposeNow();
        }
    }

    /** Answers every aggregated request with its method, path and body size. */
    private static final class EchoApp extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String text = req.method() + " " + req.uri() + " " + req.content().readableBytes() + " bytes";
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
