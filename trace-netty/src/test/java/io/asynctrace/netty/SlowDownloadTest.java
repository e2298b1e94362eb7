package io.asynctrace.netty;

import static io.asynctrace.netty.Endpoints.model;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.FlightRecorder;
import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.TraceOptions;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A download the client stalls: the thread writing it waits while the channel is not
 * writable and is woken when it is writable again (the endpoint's
 * {@code channelWritabilityChanged}), not by the one-second fallback of {@code ChunkStream}'s
 * wait. The server's socket buffers and water marks are small, and the client pauses, so
 * the writer waits many times.
 */
@ExtendWith(NoLeftovers.class)
class SlowDownloadTest {

    @Test
    void aStalledFlightDownloadIsWokenWhenTheChannelIsWritableAgain() throws Exception {
        FlightRecorder flight = new FlightRecorder(Duration.ofSeconds(30), 32 << 20)
                .withOptions(TraceOptions.defaults().withFlushIntervalMillis(10));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        flight.start();
        try {
            try (Task t = Trace.newTask("bulk"); Scope s = t.makeCurrent()) {
                for (int i = 0; i < 20_000; i++) {
                    Trace.log("line", "a log line that makes the snapshot large enough to stall the download " + i);
                }
            }
            Await.until("the ring holds the logs", () -> flight.retainedBytes() > (1 << 20));
            long waits = ChunkStream.WAITS.get();
            long missed = ChunkStream.MISSED_WAKES.get();
            byte[] body = download(group, TraceEndpoint.FLIGHT_PATH, () -> { });
            assertThat(ChunkStream.WAITS.get() - waits).as("waits for the channel").isPositive();
            assertThat(ChunkStream.MISSED_WAKES.get() - missed)
                    .as("waits that ended on the fallback timeout with the channel writable").isZero();
            TraceModel m = model(body);
            assertThat(m.complete()).isTrue();
            assertThat(m.logs()).hasSizeGreaterThanOrEqualTo(20_000);
        } finally {
            flight.stop();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aStalledLiveTraceIsWokenWhenTheChannelIsWritableAgain() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            long waits = ChunkStream.WAITS.get();
            long missed = ChunkStream.MISSED_WAKES.get();
            byte[] body = download(group, TraceEndpoint.PATH + "?seconds=1", () -> {
                try (Task t = Trace.newTask("bulk"); Scope s = t.makeCurrent()) {
                    for (int i = 0; i < 20_000; i++) {
                        Trace.log("line", "a log line that makes the trace large enough to stall the download " + i);
                    }
                }
            });
            assertThat(ChunkStream.WAITS.get() - waits).as("waits for the channel").isPositive();
            assertThat(ChunkStream.MISSED_WAKES.get() - missed)
                    .as("waits that ended on the fallback timeout with the channel writable").isZero();
            TraceModel m = model(body);
            assertThat(m.complete()).isTrue();
            assertThat(m.tasks()).extracting(x -> x.type()).contains("bulk");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            Endpoints.stopLeftovers();
        }
    }

    /**
     * GETs {@code path} from an endpoint on a server with small socket buffers and water marks;
     * {@code afterHeaders} runs once the response's headers are read. Returns the body.
     */
    private static byte[] download(EventLoopGroup group, String path, Runnable afterHeaders) throws Exception {
        long waits = ChunkStream.WAITS.get();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.SO_SNDBUF, 4096)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 10, 16 << 10))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), TraceEndpoint.defaults().newHandler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.setSoTimeout(20_000);
            client.connect(server.localAddress(), 5_000);
            OutputStream req = client.getOutputStream();
            req.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            req.flush();
            InputStream in = new BufferedInputStream(client.getInputStream(), 4096);
            assertThat(readLine(in)).isEqualTo("HTTP/1.1 200 OK");
            while (!readLine(in).isEmpty()) {
                // headers
            }
            afterHeaders.run();
            return readChunked(in, () -> Await.until("the writer waits for the stalled client",
                    () -> ChunkStream.WAITS.get() > waits));
        } finally {
            server.close().sync();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the response ended mid line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /**
     * The chunked body. After its first chunk the client reads nothing until {@code stalled}
     * returns, then it pauses 100 ms every 256 KiB, so the writer waits again and again.
     */
    private static byte[] readChunked(InputStream in, Runnable stalled) throws IOException, InterruptedException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long nextPause = 256 << 10;
        boolean first = true;
        for (int size = Integer.parseInt(readLine(in), 16); size > 0; size = Integer.parseInt(readLine(in), 16)) {
            body.write(in.readNBytes(size));
            assertThat(readLine(in)).isEmpty();
            if (first) {
                stalled.run();
                first = false;
            } else if (body.size() >= nextPause) {
                Thread.sleep(100); // not a wait for anything: the client reading slowly
                nextPause += 256 << 10;
            }
        }
        readLine(in); // the end of the trailers
        return body.toByteArray();
    }
}
