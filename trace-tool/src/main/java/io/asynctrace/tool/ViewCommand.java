package io.asynctrace.tool;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "view", description = "Serve a web page on 127.0.0.1: a zoomable timeline of the whole trace (threads, "
        + "task types, GC, heap), latency histograms per task type (split by --group-by), the instances in a bucket, "
        + "and each task's breakdown and event log. --where, --from and --to set what the page starts with. "
        + "Runs until stopped (Ctrl-C).")
final class ViewCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the trace file")
    Path file;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8080",
            description = "the port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--group-by", paramLabel = "KEY", description = "start with the histograms split by this task attribute")
    String groupBy;

    @Mixin
    FilterOptions filter;

    @Override
    public Integer call() throws InterruptedException {
        filter.filter(); // checks the values
        if (port < 0 || port > 65535) {
            throw new ToolException("--port must be between 0 and 65535, was " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ViewServer server = ViewServer.start(file, port, main.progress,
                new ViewServer.ViewOptions(filter.where, groupBy, filter.from, filter.to))) {
            out.println("serving " + file + " at " + server.url() + " (Ctrl-C to stop)");
            out.flush();
            server.awaitClose();
        }
        return 0;
    }
}
