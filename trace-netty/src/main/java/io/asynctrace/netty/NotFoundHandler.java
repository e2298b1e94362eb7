package io.asynctrace.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/** The end of {@link DebugServer}'s pipeline: 404 for whatever the endpoint passed on. */
@ChannelHandler.Sharable
final class NotFoundHandler extends ChannelInboundHandlerAdapter {
    static final NotFoundHandler INSTANCE = new NotFoundHandler();

    private NotFoundHandler() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest) {
                EndpointHandler.send(ctx, HttpUtil.isKeepAlive((HttpRequest) msg), EndpointHandler.response(
                        HttpResponseStatus.NOT_FOUND, "not found: try " + TraceEndpoint.PATH + "?seconds=N\n"));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
