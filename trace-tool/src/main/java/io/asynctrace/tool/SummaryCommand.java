package io.asynctrace.tool;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "summary", description = "Latency per task type (percentiles and a log-scale histogram), spans, "
        + "log categories, threads, dropped events, misuse and truncation; with JVM runtime events, GC pauses, heap "
        + "after GC, totals per kind, data loss and why runtime events are unavailable.")
final class SummaryCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the trace file")
    Path file;

    @Option(names = "--json", description = "print the JSON documented in docs/CLI.md")
    boolean json;

    @Option(names = "--group-by", paramLabel = "KEY",
            description = "split each task type's row by the value of the task attribute KEY (tasks without it: a row of their own)")
    String groupBy;

    @Mixin
    FilterOptions filter;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (groupBy != null && groupBy.isEmpty()) {
            throw new ToolException("--group-by needs an attribute key");
        }
        SummaryHandler handler = new SummaryHandler(groupBy);
        Scan scan = filter.read(file, handler, main.progress);
        handler.finish();
        SummaryReport report = new SummaryReport(handler, scan);
        if (json) {
            JsonWriter j = new JsonWriter(out);
            report.json(j, true);
            out.println();
        } else {
            report.text(out, file.toString());
        }
        out.flush();
        return scan.finish(spec.commandLine().getErr());
    }
}
