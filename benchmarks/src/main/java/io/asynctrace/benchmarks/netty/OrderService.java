package io.asynctrace.benchmarks.netty;

import io.asynctrace.netty.DebugServer;
import io.asynctrace.netty.TracedHttp;
import io.asynctrace.reactor.ReactorTracing;
import io.asynctrace.reactor.Trace;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The order service of issue 14, for {@code benchmarks/wrk-order.sh}: one reactor-netty
 * route {@code GET /order/{id}} that hops to the parallel scheduler ({@code publishOn}),
 * hashes a few KiB (a few µs of CPU), and prices the order. Two builds of it:
 *
 * <ul>
 * <li>{@code plain}: written without asynctrace;</li>
 * <li>{@code traced}: {@link ReactorTracing#install()}, the route wrapped in
 *     {@link TracedHttp#route}, a {@code Trace.log} inside the {@code map} after the hop,
 *     the pricing as a {@code Trace.span}; the live trace is fetched from a
 *     {@link DebugServer} on the next port, so the service's own connections carry no
 *     endpoint handler.</li>
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.asynctrace.benchmarks.netty.OrderService PORT plain|traced}
 * (loopback only; the traced build also listens on {@code PORT + 1} for the trace endpoint).
 */
public final class OrderService {
    /** The route template. */
    public static final String ROUTE = "/order/{id}";
    private static final int HASHED_BYTES = 2048;

    private OrderService() {
    }

    /** The order without asynctrace. */
    static Mono<String> plainOrder(String id) {
        return Mono.just(id)
                .publishOn(Schedulers.parallel())
                .map(OrderService::hash)
                .flatMap(h -> Mono.fromCallable(() -> price(h)))
                .map(price -> "order " + id + ": " + price + "\n");
    }

    /** The same order, traced: a log after the hop and the pricing as a span. */
    static Mono<String> tracedOrder(String id) {
        return Mono.just(id)
                .publishOn(Schedulers.parallel())
                .map(i -> {
                    byte[] h = hash(i);
                    Trace.log("orderID", i);
                    return h;
                })
                .flatMap(h -> Mono.fromCallable(() -> price(h)).transform(Trace.span("pricing")))
                .map(price -> "order " + id + ": " + price + "\n");
    }

    static byte[] hash(String id) {
        byte[] block = new byte[HASHED_BYTES];
        Arrays.fill(block, (byte) id.hashCode());
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(key, 0, block, 0, Math.min(key.length, block.length));
        try {
            return MessageDigest.getInstance("SHA-256").digest(block);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long price(byte[] hash) {
        long cents = 0;
        for (byte b : hash) {
            cents = cents * 31 + (b & 0xFF);
        }
        return 250 + Math.floorMod(cents, 500);
    }

    /**
     * Starts one build of the service on the loopback address.
     *
     * @param port the port, 0 for a free one
     * @param traced the traced build (else the plain one)
     * @return the running server
     */
    public static DisposableServer start(int port, boolean traced) {
        HttpServer http = HttpServer.create().host("127.0.0.1").port(port);
        if (!traced) {
            return http.route(r -> r.get(ROUTE, (req, res) -> res.sendString(plainOrder(req.param("id"))))).bindNow();
        }
        ReactorTracing.install();
        return http.route(r -> r.get(ROUTE, TracedHttp.route(ROUTE, (req, res) ->
                res.sendString(tracedOrder(req.param("id")))))).bindNow();
    }

    /**
     * Runs one build until the JVM is stopped.
     *
     * @param args {@code PORT plain|traced}
     */
    public static void main(String[] args) {
        if (args.length != 2 || !(args[1].equals("plain") || args[1].equals("traced"))) {
            System.err.println("asynctrace: usage: OrderService PORT plain|traced");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        boolean traced = args[1].equals("traced");
        DisposableServer server = start(port, traced);
        if (traced) {
            DebugServer.start(port + 1);
        }
        System.out.println("order service (" + args[1] + ") on http://127.0.0.1:" + server.port() + "/order/1");
        server.onDispose().block();
    }
}
