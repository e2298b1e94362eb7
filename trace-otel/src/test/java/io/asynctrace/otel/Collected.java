package io.asynctrace.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link SpanExporter} that keeps what it is given; it can be told to fail from the n-th batch on. */
final class Collected implements SpanExporter {
    final List<SpanData> spans = new CopyOnWriteArrayList<>();
    final AtomicInteger batches = new AtomicInteger();
    volatile int failFromBatch = Integer.MAX_VALUE;

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
        if (batches.incrementAndGet() >= failFromBatch) {
            return CompletableResultCode.ofExceptionalFailure(new java.io.IOException("backend says no"));
        }
        spans.addAll(batch);
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    SpanData named(String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }

    List<SpanData> allNamed(String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).toList();
    }
}
