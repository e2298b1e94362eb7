package io.asynctrace.tool;

import io.asynctrace.RecordingStats;
import io.asynctrace.examples.Cappuccino;
import io.asynctrace.netty.DemoServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "demo", description = "Record the cappuccino workload (Reactor and CompletableFuture variants), "
        + "print its summary (of the tasks and time window --where, --from and --to keep) and how to look further.")
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "cappuccino.trace",
            description = "where the trace goes (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--orders", paramLabel = "N", defaultValue = "200",
            description = "orders per variant (default: ${DEFAULT-VALUE})")
    int orders;

    @Option(names = "--serve", paramLabel = "PORT",
            description = "instead of recording: serve the cappuccino as a traced HTTP service on 127.0.0.1:PORT, "
                    + "with GET /order and the live trace endpoint /debug/asynctrace/trace?seconds=N")
    Integer serve;

    @Mixin
    FilterOptions filter;

    @Override
    public Integer call() {
        TaskFilter summaryFilter = filter.filter(); // checks the values before recording
        if (serve != null) {
            if (!summaryFilter.isNone()) {
                throw new ToolException("--where, --from and --to narrow the summary of a recorded demo; "
                        + "--serve prints none (filter the live trace you download instead)");
            }
            return serve(serve);
        }
        if (orders < 1) {
            throw new ToolException("--orders must be at least 1, was " + orders);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("making " + orders + " cappuccinos with Reactor and " + orders
                + " with CompletableFuture, tracing into " + output + " ...");
        out.flush();
        RecordingStats stats;
        try {
            stats = Cappuccino.record(output, orders);
        } catch (IOException e) {
            throw new ToolException(output + ": cannot write the trace: " + e.getMessage(), 1);
        } catch (IllegalStateException e) {
            throw new ToolException("cannot record: " + e.getMessage(), 1);
        }
        out.println("wrote " + output + " (" + stats.bytesWritten() + " bytes)");
        out.println();
        SummaryHandler handler = new SummaryHandler();
        Scan scan = summaryFilter.read(output, handler, null);
        handler.finish();
        new SummaryReport(handler, scan).text(out, output.toString());
        out.println();
        out.println("Look further:");
        out.println("  asynctrace tasks " + output + " --type makeCappuccino --slowest 3   # the slowest orders, event by event");
        out.println("  asynctrace logs " + output + " --category orderID");
        out.println("  asynctrace view " + output + "                                      # histograms and timelines in a browser");
        out.println("  asynctrace export " + output + " --format perfetto -o cappuccino.json   # for ui.perfetto.dev");
        out.flush();
        return scan.finish(spec.commandLine().getErr());
    }

    private int serve(int port) {
        if (port < 0 || port > 65_535) {
            throw new ToolException("--serve takes a port from 0 to 65535, was " + port);
        }
        DemoServer server;
        try {
            server = DemoServer.start(port, Cappuccino::order);
        } catch (RuntimeException e) {
            throw new ToolException("cannot serve on 127.0.0.1:" + port + ": " + rootMessage(e), 1);
        }
        String base = "http://127.0.0.1:" + server.port();
        PrintWriter out = spec.commandLine().getOut();
        out.println("serving cappuccinos on " + base + " (Ctrl-C stops)");
        out.println("  curl " + base + "/order                                          # one order, traced as a request");
        out.println("  curl -o live.trace '" + base + "/debug/asynctrace/trace?seconds=5'   # a live trace of the next 5 s");
        out.println("  asynctrace summary live.trace");
        out.flush();
        server.awaitClose();
        return 0;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
