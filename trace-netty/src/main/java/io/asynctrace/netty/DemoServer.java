package io.asynctrace.netty;

import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The example service behind {@code asynctrace demo --serve PORT}: a reactor-netty
 * server on the loopback address with the {@link TraceEndpoint} mounted and a traced
 * route {@code GET /order} that makes one order, so a newcomer can watch a live trace:
 *
 * <pre>
 * curl http://127.0.0.1:8080/order
 * curl -o live.trace 'http://127.0.0.1:8080/debug/asynctrace/trace?seconds=5'   # while orders come in
 * asynctrace summary live.trace
 * </pre>
 *
 * <p>The order is a function of the order number, so the cappuccino workload of the
 * examples module can be plugged in; {@link #start(int)} uses a small built-in order
 * (two parallel timed steps as spans, a log, a mixing span), which finds the
 * request's task in the Reactor {@code Context}. Starting a demo server turns no
 * Reactor mode or hook on: an order that logs from operators after a thread hop
 * needs trace-reactor's {@code ReactorTracing.install()} (the examples' cappuccino
 * installs it).
 *
 * <pre>{@code
 * try (DemoServer demo = DemoServer.start(0, n -> Mono.just("cappuccino #" + n))) {
 *     System.out.println("http://127.0.0.1:" + demo.port() + "/order");
 *     demo.awaitClose(); // until the JVM is stopped
 * }
 * }</pre>
 */
public final class DemoServer implements AutoCloseable {
    /** The route template of the order route: {@value}. */
    public static final String ORDER_ROUTE = "/order";

    private final DisposableServer server;

    private DemoServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * Starts the demo server with the built-in order (steps of 2 and 3 ms).
     *
     * @param port the loopback port, 0 for a free one
     * @return the running server
     */
    public static DemoServer start(int port) {
        return start(port, n -> fallbackOrder(n, 3));
    }

    /**
     * Starts the demo server; each {@code GET /order} calls {@code order} with the next
     * order number (1, 2, ...) and answers with its value and a newline.
     *
     * @param port the loopback port, 0 for a free one
     * @param order makes one order; it runs as the request's task
     * @return the running server
     */
    public static DemoServer start(int port, Function<Integer, ? extends Mono<String>> order) {
        Objects.requireNonNull(order, "order");
        AtomicInteger orders = new AtomicInteger();
        HttpServer http = HttpServer.create().host(InetAddress.getLoopbackAddress().getHostAddress()).port(port);
        DisposableServer server = TraceEndpoint.defaults().mountOn(http)
                .route(routes -> routes
                        .get(ORDER_ROUTE, TracedHttp.route(ORDER_ROUTE, (req, res) ->
                                res.header("Content-Type", "text/plain; charset=utf-8")
                                        .sendString(Mono.defer(() -> order.apply(orders.incrementAndGet()))
                                                .map(s -> s + "\n"))))
                        .get("/", (req, res) -> res.sendString(Mono.just(
                                "asynctrace demo: GET " + ORDER_ROUTE + " makes one order; GET "
                                        + TraceEndpoint.PATH + "?seconds=N records a trace\n"))))
                .bindNow();
        return new DemoServer(server);
    }

    /**
     * The built-in order: {@code steamMilk} and {@code extractCoffee} in parallel (spans,
     * each {@code stepMillis} long), a log {@code orderID}, then a {@code mixMilkCoffee} span.
     *
     * @param n the order number
     * @param stepMillis how long each parallel step takes; 0 for no timer at all (load tests)
     * @return the order
     */
    public static Mono<String> fallbackOrder(int n, long stepMillis) {
        return Mono.deferContextual(ctx -> {
            Object inContext = ctx.getOrDefault(TaskThreadLocalAccessor.KEY, null);
            Task task = inContext instanceof Task ? (Task) inContext : null;
            return Mono.zip(step(task, "steamMilk", stepMillis, "milk"), step(task, "extractCoffee", stepMillis, "espresso"))
                    .map(parts -> {
                        if (task == null) {
                            return "cappuccino #" + n;
                        }
                        task.log("orderID", Integer.toString(n));
                        Span mix = task.startSpan("mixMilkCoffee");
                        String cup = "cappuccino #" + n;
                        mix.end();
                        return cup;
                    });
        });
    }

    private static Mono<String> step(Task task, String name, long millis, String product) {
        Mono<String> work = millis > 0
                ? Mono.delay(Duration.ofMillis(millis)).thenReturn(product)
                : Mono.just(product);
        if (task == null) {
            return work;
        }
        return Mono.defer(() -> {
            Span span = task.startSpan(name);
            return work.doFinally(signal -> span.end());
        });
    }

    /** @return the port the server listens on */
    public int port() {
        return server.port();
    }

    /** Blocks until the server is closed (by {@link #close()} or JVM shutdown). */
    public void awaitClose() {
        server.onDispose().block();
    }

    /** Stops the server. */
    @Override
    public void close() {
        server.disposeNow();
    }

    /**
     * Runs the demo server until the JVM is stopped.
     *
     * @param args {@code [PORT] [--step-millis N] [--flight DIR [--slow-millis N] [--slow-every K]]}: port 8080
     *             and 3 ms steps by default; {@code --flight} keeps a flight recorder always on (the last 10 s, at
     *             most 64 MiB) that writes a snapshot into {@code DIR} when a request task takes
     *             {@code --slow-millis} (default 500) or more, and makes every {@code --slow-every}th order
     *             (default 0: none) that slow
     */
    public static void main(String[] args) {
        int port = 8080;
        long stepMillis = 3;
        String flightDir = null;
        long slowMillis = 500;
        long slowEvery = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--step-millis") && i + 1 < args.length) {
                stepMillis = Long.parseLong(args[++i]);
            } else if (args[i].equals("--flight") && i + 1 < args.length) {
                flightDir = args[++i];
            } else if (args[i].equals("--slow-millis") && i + 1 < args.length) {
                slowMillis = Long.parseLong(args[++i]);
            } else if (args[i].equals("--slow-every") && i + 1 < args.length) {
                slowEvery = Long.parseLong(args[++i]);
            } else {
                port = Integer.parseInt(args[i]);
            }
        }
        if (flightDir != null) {
            new io.asynctrace.FlightRecorder(Duration.ofSeconds(10), 64 << 20)
                    .snapshotWhen(null, Duration.ofMillis(slowMillis),
                            io.asynctrace.SnapshotSink.directory(java.nio.file.Path.of(flightDir)))
                    .start();
        }
        long millis = stepMillis;
        long every = slowEvery;
        Duration slow = Duration.ofMillis(slowMillis + 50);
        DemoServer demo = start(port, n -> every > 0 && n % every == 0
                ? fallbackOrder(n, millis).delayElement(slow) : fallbackOrder(n, millis));
        String base = "http://127.0.0.1:" + demo.port();
        System.out.println("asynctrace demo server on " + base);
        System.out.println("  curl " + base + ORDER_ROUTE);
        System.out.println("  curl -o live.trace '" + base + TraceEndpoint.PATH + "?seconds=5'");
        if (flightDir != null) {
            System.out.println("  curl -o flight.trace '" + base + TraceEndpoint.FLIGHT_PATH + "'   # slow requests: "
                    + flightDir);
        }
        demo.awaitClose();
    }
}
