package io.asynctrace.netty;

/**
 * Run in a JVM of its own by {@code EndpointContractTest}: starts a {@link DebugServer}
 * and returns from {@code main}; the JVM must then exit.
 */
public final class DebugServerMain {
    private DebugServerMain() {
    }

    public static void main(String[] args) {
        DebugServer server = DebugServer.start(0, TraceEndpoint.defaults());
        System.out.println("listening on " + server.port());
    }
}
