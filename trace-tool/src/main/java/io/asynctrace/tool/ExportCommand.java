package io.asynctrace.tool;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "export", description = "Export to Chrome Trace Event JSON for Perfetto UI (ui.perfetto.dev) and "
        + "chrome://tracing, split into parts of at most --max-part-mib.")
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the trace file")
    Path file;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "output format: perfetto")
    String format;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "the output file; further parts are named OUT with .2, .3, ... before the extension")
    Path output;

    @Option(names = "--max-part-mib", paramLabel = "MIB", defaultValue = "100",
            description = "largest part in MiB (default: ${DEFAULT-VALUE}, what the UIs load comfortably)")
    int maxPartMib;

    @Mixin
    FilterOptions filter;

    @Override
    public Integer call() {
        if (!"perfetto".equals(format)) {
            throw new ToolException("unknown --format " + format + " (supported: perfetto)");
        }
        if (maxPartMib < 1) {
            throw new ToolException("--max-part-mib must be at least 1, was " + maxPartMib);
        }
        if (output.getParent() != null && !Files.isDirectory(output.getParent())) {
            throw new ToolException(output.getParent() + ": no such directory");
        }
        Scan.check(file);
        TaskFilter f = filter.filter();
        PerfettoExporter exporter = new PerfettoExporter(output, (long) maxPartMib << 20, "asynctrace " + file.getFileName());
        Scan scan;
        try {
            scan = f.read(file, exporter, main.progress);
        } catch (ToolException e) {
            exporter.abort();
            throw e;
        }
        List<Path> parts = exporter.finish();
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote " + scan.events() + " events to " + (parts.size() == 1 ? parts.get(0)
                : parts.size() + " parts: " + parts));
        out.println("open it at https://ui.perfetto.dev (Open trace file) or chrome://tracing");
        out.flush();
        return scan.finish(spec.commandLine().getErr());
    }
}
