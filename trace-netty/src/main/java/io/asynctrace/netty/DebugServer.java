package io.asynctrace.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A small Netty HTTP server that serves only the {@link TraceEndpoint}: for services
 * that have no Netty server of their own, or that want the endpoint on a separate,
 * private port. Every other path is {@code 404}.
 *
 * <pre>{@code
 * try (DebugServer debug = DebugServer.start(6060)) { // 127.0.0.1:6060; 0 picks a free port
 *     System.out.println("curl -o app.trace 'http://127.0.0.1:" + debug.port()
 *             + TraceEndpoint.PATH + "?seconds=5'");
 *     runService();
 * }
 * }</pre>
 *
 * <p><b>Security.</b> A trace shows what the service does, log messages included.
 * {@link #start(int)} and {@link #start(int, TraceEndpoint)} bind the loopback
 * address only. Any other address must be given explicitly to
 * {@link #start(InetSocketAddress, TraceEndpoint)}, which logs a {@code WARNING}
 * (through {@link System.Logger}) when it is not a loopback address; use
 * {@link TraceEndpoint#withBearerToken} there, behind TLS termination.
 *
 * <p>The server runs one daemon event-loop thread; it does not keep the JVM alive.
 * {@link #close()} stops it; a recording in progress is stopped when its
 * connection closes.
 */
public final class DebugServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DebugServer.class.getName());

    private final EventLoopGroup group;
    private final Channel channel;

    private DebugServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Starts the endpoint with its defaults on the loopback address.
     *
     * @param port the port, or 0 for a free one (see {@link #port()})
     * @return the running server
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static DebugServer start(int port) {
        return start(port, TraceEndpoint.defaults());
    }

    /**
     * Starts {@code endpoint} on the loopback address.
     *
     * @param port the port, or 0 for a free one (see {@link #port()})
     * @param endpoint the endpoint's configuration
     * @return the running server
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static DebugServer start(int port, TraceEndpoint endpoint) {
        return bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), endpoint);
    }

    /**
     * Starts {@code endpoint} on an explicit address, which may be a non-loopback one
     * (then a {@code WARNING} is logged: anyone who reaches it can record traces).
     *
     * @param address where to listen
     * @param endpoint the endpoint's configuration
     * @return the running server
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static DebugServer start(InetSocketAddress address, TraceEndpoint endpoint) {
        Objects.requireNonNull(address, "address");
        InetAddress ip = address.getAddress();
        if (ip == null || !ip.isLoopbackAddress()) {
            LOG.log(System.Logger.Level.WARNING, "asynctrace: the trace endpoint listens on non-loopback address "
                    + address + (endpoint.bearerToken() == null
                            ? " without a bearer token: anyone who can reach it can record traces"
                            : "; make sure it is not reachable from untrusted networks"));
        }
        return bind(address, endpoint);
    }

    private static DebugServer bind(InetSocketAddress address, TraceEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("asynctrace-debug", true), NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("codec", new HttpServerCodec())
                                .addLast("asynctrace.endpoint", endpoint.newHandler())
                                .addLast("notFound", NotFoundHandler.INSTANCE);
                    }
                });
        ChannelFuture f = b.bind(address).awaitUninterruptibly();
        if (!f.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Throwable cause = f.cause();
            throw new UncheckedIOException("asynctrace: cannot listen on " + address,
                    cause instanceof IOException ? (IOException) cause : new IOException(cause));
        }
        InetSocketAddress bound = (InetSocketAddress) f.channel().localAddress();
        LOG.log(System.Logger.Level.INFO, () -> "asynctrace: trace endpoint at http://"
                + (bound.getAddress() instanceof java.net.Inet6Address ? "[" + bound.getHostString() + "]" : bound.getHostString())
                + ":" + bound.getPort() + TraceEndpoint.PATH + "?seconds=N");
        return new DebugServer(group, f.channel());
    }

    /** @return the address the server listens on (the real port if 0 was asked for) */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** @return the port the server listens on */
    public int port() {
        return address().getPort();
    }

    /** Stops listening, closes open connections and the event loop; idempotent. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "DebugServer[" + channel.localAddress() + "]";
    }
}
