package io.asynctrace.otel;

/**
 * Thrown when a {@code SpanExporter} refused a batch or did not answer in time: the
 * backend is down, unreachable or rejected the spans. The export stops there.
 *
 * <p>{@link #accepted()} is how many spans the backend had accepted before; the spans
 * of the failed batch and the rest of the trace were not sent.
 */
public final class SpanExportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long accepted;

    SpanExportException(String message, long accepted, Throwable cause) {
        super(message, cause);
        this.accepted = accepted;
    }

    /** @return the spans the backend accepted before the failure */
    public long accepted() {
        return accepted;
    }
}
