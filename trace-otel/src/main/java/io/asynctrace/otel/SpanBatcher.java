package io.asynctrace.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Hands spans to a {@link SpanExporter} in batches, with at most {@value #IN_FLIGHT}
 * batches in flight, and counts what the exporter accepted. The first batch refused, or
 * not answered within the timeout, throws {@link SpanExportException} once the other
 * batches in flight have finished, with every span accepted counted.
 *
 * <p>{@code export} is called on a thread of its own, one batch after the other: an
 * exporter that encodes on the calling thread (OTLP's does) encodes while the caller reads
 * and maps the next batch, on the other core. That thread ends at {@link #flush()} or at the
 * first failure, or after a second without a batch. Not thread-safe.
 */
final class SpanBatcher {
    static final int IN_FLIGHT = 2;

    private final SpanExporter exporter;
    private final int batchSize;
    private final long timeoutMillis;
    private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
    /** One thread, gone after a second idle (an export abandoned half-way leaves none behind). */
    private final ExecutorService caller = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "asynctrace-export");
                t.setDaemon(true);
                return t;
            });
    private List<SpanData> batch;
    private long accepted;
    private long tasks;
    private long asyncSpans;
    private long events;

    private record Sent(Future<CompletableResultCode> call, int size) {
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
        try {
            send();
            while (!inFlight.isEmpty()) {
                await(inFlight.pollFirst());
            }
        } finally {
            caller.shutdown();
        }
    }

    private void send() {
        if (batch.isEmpty()) {
            return;
        }
        List<SpanData> spans = batch;
        batch = new ArrayList<>(batchSize);
        inFlight.addLast(new Sent(caller.submit(() -> exporter.export(spans)), spans.size()));
        while (inFlight.size() > IN_FLIGHT) {
            await(inFlight.pollFirst());
        }
    }

    private void await(Sent sent) {
        CompletableResultCode result;
        try {
            result = result(sent, timeoutMillis);
        } catch (TimeoutNow e) {
            countOthers();
            caller.shutdownNow();
            throw new SpanExportException("no answer within " + timeoutMillis + " ms after " + accepted
                    + " spans were accepted (the exporter's export call did not return)", accepted, null);
        } catch (RuntimeException e) {
            countOthers();
            caller.shutdownNow();
            throw new SpanExportException("the exporter failed (" + describe(e) + ") after " + accepted
                    + " spans were accepted", accepted, e);
        }
        result.join(timeoutMillis, TimeUnit.MILLISECONDS);
        if (!result.isSuccess()) {
            countOthers(); // so that the count covers every batch accepted, in whatever order they finished
            caller.shutdownNow();
        }
        if (!result.isDone()) {
            throw new SpanExportException("no answer within " + timeoutMillis + " ms after " + accepted
                    + " spans were accepted", accepted, null);
        }
        if (!result.isSuccess()) {
            Throwable why = result.getFailureThrowable();
            throw new SpanExportException("the export failed (" + describe(why) + ") after " + accepted
                    + " spans were accepted", accepted, why);
        }
        accepted += sent.size();
    }

    /**
     * @return what the exporter's {@code export} call returned for {@code sent}
     * @throws RuntimeException what it threw
     */
    private static CompletableResultCode result(Sent sent, long timeoutMillis) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return sent.call().get(timeoutMillis, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new TimeoutNow();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An export call that did not return within the timeout. */
    private static final class TimeoutNow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimeoutNow() {
            super(null, null, false, false);
        }
    }

    /** Waits for the other batches in flight and counts those accepted. */
    private void countOthers() {
        while (!inFlight.isEmpty()) {
            Sent other = inFlight.pollFirst();
            try {
                CompletableResultCode r = result(other, timeoutMillis);
                r.join(timeoutMillis, TimeUnit.MILLISECONDS);
                if (r.isSuccess()) {
                    accepted += other.size();
                }
            } catch (RuntimeException e) {
                // refused by throwing: not accepted
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
