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

@Command(name = "logs", description = "Log messages, in file order (time order per thread), filtered by category and text.")
final class LogsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the trace file")
    Path file;

    @Option(names = "--category", paramLabel = "C", description = "only messages of this category")
    String category;

    @Option(names = "--grep", paramLabel = "TEXT", description = "only messages whose text or category contains TEXT")
    String grep;

    @Option(names = "--json", description = "print the JSON array documented in docs/CLI.md")
    boolean json;

    @Option(names = "--attrs", description = "give each message its task's attributes (JSON: \"attrs\")")
    boolean attrs;

    @Mixin
    FilterOptions filter;

    @Override
    public Integer call() {
        TaskFilter f = filter.filter();
        PrintWriter out = spec.commandLine().getOut();
        JsonWriter j = json ? new JsonWriter(out) : null;
        if (j != null) {
            j.beginArray();
        }
        LogsHandler handler = new LogsHandler(category, grep, j, out, attrs);
        Scan scan;
        try {
            scan = f.read(file, handler, main.progress);
            handler.finish();
        } finally {
            if (j != null) {
                j.endArray();
                out.println();
            }
            out.flush();
        }
        if (handler.unsettled > 0) {
            spec.commandLine().getErr().println("asynctrace: note: " + handler.unsettled + " messages were written before "
                    + "their task's attributes were settled (more than " + LogsHandler.MAX_WAITING + " waited at once)");
        }
        return scan.finish(spec.commandLine().getErr());
    }
}
