package io.asynctrace.tool;

import io.asynctrace.otel.ExportResult;
import io.asynctrace.otel.FileExport;
import io.asynctrace.otel.OtelExport;
import io.asynctrace.otel.SpanExportException;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "export", description = "Export to Chrome Trace Event JSON for Perfetto UI (ui.perfetto.dev) and "
        + "chrome://tracing (--format perfetto -o OUT, split into parts of at most --max-part-mib), or send the tasks, "
        + "spans and logs to a tracing backend: --format otlp (OTLP/HTTP protobuf: an OpenTelemetry Collector, "
        + "Jaeger, Tempo) or --format zipkin (Zipkin's v2 API) at --endpoint URL.")
final class ExportCommand implements Callable<Integer> {
    /** Held so the setting is not garbage-collected: the exporters' own failure logs would repeat our one line. */
    private static final Logger OTEL_LOG = Logger.getLogger("io.opentelemetry");

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the trace file")
    Path file;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "perfetto, otlp or zipkin")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT",
            description = "perfetto: the output file; further parts are named OUT with .2, .3, ... before the extension")
    Path output;

    @Option(names = "--max-part-mib", paramLabel = "MIB", defaultValue = "100",
            description = "perfetto: largest part in MiB (default: ${DEFAULT-VALUE}, what the UIs load comfortably)")
    int maxPartMib;

    @Option(names = "--endpoint", paramLabel = "URL", description = "otlp, zipkin: where to send, such as "
            + "http://127.0.0.1:4318/v1/traces (otlp) or http://127.0.0.1:9411/api/v2/spans (zipkin)")
    String endpoint;

    @Option(names = "--service", paramLabel = "NAME",
            description = "otlp, zipkin: the spans' service.name (default: the file's name without .trace)")
    String service;

    @Option(names = "--compression", paramLabel = "gzip|none", description = "otlp, zipkin: compress the requests "
            + "(default: none for a loopback endpoint, gzip for any other)")
    String compression;

    @Option(names = "--encoding", paramLabel = "proto3|json", description = "zipkin: the spans' encoding "
            + "(default: proto3; json for a backend that takes only JSON v2)")
    String encoding;

    @Mixin
    FilterOptions filter;

    @Override
    public Integer call() {
        switch (format) {
            case "perfetto":
                return perfetto();
            case "otlp":
            case "zipkin":
                return backend();
            default:
                throw new ToolException("unknown --format " + format + " (supported: perfetto, otlp, zipkin)");
        }
    }

    private int perfetto() {
        if (output == null) {
            throw new ToolException("--format perfetto needs -o OUT");
        }
        if (endpoint != null || service != null || compression != null || encoding != null) {
            throw new ToolException("--endpoint, --service, --compression and --encoding are for --format otlp and zipkin");
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
        // The events read, not written: with --where, --from or --to the output holds fewer.
        out.println("wrote " + (parts.size() == 1 ? parts.get(0) : parts.size() + " parts: " + parts) + " from "
                + scan.events() + " events read");
        out.println("open it at https://ui.perfetto.dev (Open trace file) or chrome://tracing");
        out.flush();
        return scan.finish(spec.commandLine().getErr());
    }

    private int backend() {
        String example = format.equals("otlp") ? "http://127.0.0.1:4318/v1/traces" : "http://127.0.0.1:9411/api/v2/spans";
        if (endpoint == null) {
            throw new ToolException("--format " + format + " needs --endpoint URL, such as " + example);
        }
        if (output != null) {
            throw new ToolException("-o is for --format perfetto; --format " + format + " sends to --endpoint");
        }
        if (encoding != null && !format.equals("zipkin")) {
            throw new ToolException("--encoding is for --format zipkin (OTLP is always protobuf)");
        }
        if (service != null && service.isBlank()) {
            throw new ToolException("--service must not be empty");
        }
        Scan.check(file);
        TaskFilter f = filter.filter();
        String serviceName = service != null ? service : baseName(file);
        OTEL_LOG.setLevel(Level.OFF);
        SpanExporter exporter;
        try {
            OtelExport.defaultCompression(endpoint); // checks the URL before the other options
        } catch (IllegalArgumentException e) {
            throw new ToolException("--endpoint: " + e.getMessage() + " (such as " + example + ")");
        }
        String compress = compression != null ? compression : OtelExport.defaultCompression(endpoint);
        try {
            exporter = format.equals("otlp") ? OtelExport.otlpHttp(endpoint, compress)
                    : OtelExport.zipkin(endpoint, encoding != null ? encoding : "proto3", compress);
        } catch (IllegalArgumentException e) {
            throw new ToolException((e.getMessage().startsWith("unknown compression") ? "--compression: "
                    : "--encoding: ") + e.getMessage());
        }
        Scan scan;
        ExportResult result;
        try {
            FileExport export = OtelExport.file(exporter, serviceName);
            f.read(file, export.runtimePass(), main.progress);
            scan = f.read(file, export.spanPass(), main.progress);
            result = export.finish();
        } catch (SpanExportException e) {
            throw new ToolException("cannot export to " + endpoint + ": " + e.getMessage());
        } finally {
            exporter.shutdown().join(10, TimeUnit.SECONDS);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("exported " + result.spans() + " spans to " + endpoint + " as service " + serviceName + ": "
                + result.tasks() + " tasks, " + result.asyncSpans() + " spans, " + result.events()
                + " logs as span events");
        if (result.droppedEvents() > 0) {
            out.println("not sent: " + result.droppedEvents() + " logs over the limit per task (counted as the spans' "
                    + "dropped events)");
        }
        if (result.logsOutsideTasks() > 0) {
            out.println("not sent: " + result.logsOutsideTasks() + " logs outside any task");
        }
        if (result.late() > 0) {
            out.println("not sent: " + result.late() + " logs and attributes read after their task or span was sent");
        }
        out.flush();
        return scan.finish(spec.commandLine().getErr());
    }

    /** @return the file's name without {@code .trace} */
    static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".trace") && name.length() > ".trace".length()
                ? name.substring(0, name.length() - ".trace".length()) : name;
    }
}
