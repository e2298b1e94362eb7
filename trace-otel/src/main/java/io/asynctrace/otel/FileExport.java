package io.asynctrace.otel;

import io.asynctrace.reader.TraceHandler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * One export of a trace file to a {@link SpanExporter}, for a caller that reads the file
 * itself (the {@code asynctrace export} command does, for its progress bar and error
 * messages). {@link OtelExport#exportFile} does the same in one call.
 *
 * <p>Read the file twice: first through {@link #runtimePass()} (it keeps the JVM runtime
 * events the per-task breakdown needs, as they are written up to a second after the
 * tasks they overlap), then through {@link #spanPass()}, which exports tasks in batches
 * as they end; then call {@link #finish()}. The mapping is in {@code docs/OTEL.md}.
 *
 * <pre>{@code
 * FileExport export = OtelExport.file(OtelExport.zipkin("http://127.0.0.1:9411/api/v2/spans"), "checkout");
 * try (TraceReader r = TraceReader.open(file)) { r.read(export.runtimePass()); }
 * try (TraceReader r = TraceReader.open(file)) { r.read(export.spanPass()); }
 * ExportResult result = export.finish();
 * }</pre>
 *
 * <p>A {@link SpanExportException} thrown from a pass or from {@link #finish()} ends the
 * export; it says how many spans were accepted before. Not thread-safe; use once. The
 * exporter is not shut down.
 */
public final class FileExport {
    /** Spans per export call. */
    static final int BATCH_SIZE = 2048;
    /** How long one batch may take. */
    static final long TIMEOUT_MILLIS = 60_000;

    private final RuntimeIndex runtime = new RuntimeIndex();
    private final SpanBatcher batcher;
    private final SpanMapper mapper;

    FileExport(SpanExporter exporter, Resource resource) {
        this.batcher = new SpanBatcher(exporter, BATCH_SIZE, TIMEOUT_MILLIS);
        this.mapper = new SpanMapper(new SpanFactory(resource), batcher, runtime);
    }

    /** @return the handler of the first pass */
    public TraceHandler runtimePass() {
        return runtime;
    }

    /** @return the handler of the second pass */
    public TraceHandler spanPass() {
        return mapper;
    }

    /**
     * Exports what is still held (the last tasks, tasks and spans that never ended, marked
     * {@code asynctrace.incomplete}) and waits until every batch is accepted.
     *
     * @return what was sent
     * @throws SpanExportException if the exporter refused a batch or did not answer
     */
    public ExportResult finish() {
        mapper.finish();
        batcher.flush();
        return new ExportResult(batcher.accepted(), batcher.tasks(), batcher.asyncSpans(), batcher.events(),
                mapper.droppedEvents(), mapper.logsOutsideTasks(), mapper.late());
    }
}
