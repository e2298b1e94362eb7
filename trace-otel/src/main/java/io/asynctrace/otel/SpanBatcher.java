package io.asynctrace.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hands spans to a {@link SpanExporter} in batches, with at most {@value #IN_FLIGHT}
 * batches in flight, and counts what the exporter accepted. The first batch refused, or
 * not answered within the timeout, throws {@link SpanExportException} once the other
 * batches in flight have finished, with every span accepted counted. Not thread-safe.
 */
final class SpanBatcher {
    static final int IN_FLIGHT = 2;

    private final SpanExporter exporter;
    private final int batchSize;
    private final long timeoutMillis;
    private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
    private List<SpanData> batch;
    private long accepted;
    private long tasks;
    private long asyncSpans;
    private long events;

    private record Sent(CompletableResultCode result, int size) {
    }

    /**
     * @param exporter where the spans go
     * @param batchSize spans per export call
     * @param timeoutMillis how long one batch may take
     */
    SpanBatcher(SpanExporter exporter, int batchSize, long timeoutMillis) {
        this.exporter = exporter;
        this.batchSize = batchSize;
        this.timeoutMillis = timeoutMillis;
        this.batch = new ArrayList<>(batchSize);
    }

    void add(SpanData span) {
        if (span.getAttributes().get(SpanFactory.SPAN_ID) != null) {
            asyncSpans++;
        } else {
            tasks++;
        }
        events += span.getEvents().size();
        batch.add(span);
        if (batch.size() >= batchSize) {
            send();
        }
    }

    /** Sends what is batched and waits for every batch in flight. */
    void flush() {
        send();
        while (!inFlight.isEmpty()) {
            await(inFlight.pollFirst());
        }
    }

    private void send() {
        if (batch.isEmpty()) {
            return;
        }
        List<SpanData> spans = batch;
        batch = new ArrayList<>(batchSize);
        CompletableResultCode result;
        try {
            result = exporter.export(spans);
        } catch (RuntimeException e) {
            throw new SpanExportException("the exporter failed (" + describe(e) + ") after " + accepted
                    + " spans were accepted", accepted, e);
        }
        inFlight.addLast(new Sent(result, spans.size()));
        while (inFlight.size() > IN_FLIGHT) {
            await(inFlight.pollFirst());
        }
    }

    private void await(Sent sent) {
        sent.result().join(timeoutMillis, TimeUnit.MILLISECONDS);
        if (!sent.result().isSuccess()) {
            countOthers(); // so that the count covers every batch accepted, in whatever order they finished
        }
        if (!sent.result().isDone()) {
            throw new SpanExportException("no answer within " + timeoutMillis + " ms after " + accepted
                    + " spans were accepted", accepted, null);
        }
        if (!sent.result().isSuccess()) {
            Throwable why = sent.result().getFailureThrowable();
            throw new SpanExportException("the export failed (" + describe(why) + ") after " + accepted
                    + " spans were accepted", accepted, why);
        }
        accepted += sent.size();
    }

    /** Waits for the other batches in flight and counts those accepted. */
    private void countOthers() {
        while (!inFlight.isEmpty()) {
            Sent other = inFlight.pollFirst();
            other.result().join(timeoutMillis, TimeUnit.MILLISECONDS);
            if (other.result().isSuccess()) {
                accepted += other.size();
            }
        }
    }

    private static String describe(Throwable why) {
        if (why == null) {
            return "the exporter gave no reason";
        }
        Throwable root = why;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        String what = root.getClass().getSimpleName() + (m == null || m.isEmpty() ? "" : ": " + m);
        String top = why.getMessage();
        return root == why || top == null || top.isEmpty() || top.equals(m) ? what : top + ": " + what;
    }

    long accepted() {
        return accepted;
    }

    long tasks() {
        return tasks;
    }

    long asyncSpans() {
        return asyncSpans;
    }

    long events() {
        return events;
    }
}
