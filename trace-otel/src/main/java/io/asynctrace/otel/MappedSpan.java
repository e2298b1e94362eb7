package io.asynctrace.otel;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/** One exported span: an asynctrace task or span as the SDK's exporters take it. Immutable. */
final class MappedSpan implements SpanData {
    /** The instrumentation scope of every span asynctrace exports. */
    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder("io.asynctrace")
            .setVersion("0.1.0-SNAPSHOT").build();
    @SuppressWarnings("deprecation") // the SDK still asks for it
    private static final InstrumentationLibraryInfo LIBRARY = InstrumentationLibraryInfo.create("io.asynctrace",
            "0.1.0-SNAPSHOT");

    private final String name;
    private final SpanKind kind;
    private final SpanContext context;
    private final SpanContext parent;
    private final StatusData status;
    private final long startEpochNanos;
    private final long endEpochNanos;
    private final Attributes attributes;
    private final List<EventData> events;
    private final int totalEvents;
    private final Resource resource;

    MappedSpan(String name, SpanKind kind, SpanContext context, SpanContext parent, StatusData status,
            long startEpochNanos, long endEpochNanos, Attributes attributes, List<EventData> events, int totalEvents,
            Resource resource) {
        this.name = name;
        this.kind = kind;
        this.context = context;
        this.parent = parent;
        this.status = status;
        this.startEpochNanos = startEpochNanos;
        this.endEpochNanos = Math.max(startEpochNanos, endEpochNanos);
        this.attributes = attributes;
        this.events = events;
        this.totalEvents = totalEvents;
        this.resource = resource;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public SpanKind getKind() {
        return kind;
    }

    @Override
    public SpanContext getSpanContext() {
        return context;
    }

    @Override
    public SpanContext getParentSpanContext() {
        return parent;
    }

    @Override
    public StatusData getStatus() {
        return status;
    }

    @Override
    public long getStartEpochNanos() {
        return startEpochNanos;
    }

    @Override
    public Attributes getAttributes() {
        return attributes;
    }

    @Override
    public List<EventData> getEvents() {
        return events;
    }

    @Override
    public List<LinkData> getLinks() {
        return List.of();
    }

    @Override
    public long getEndEpochNanos() {
        return endEpochNanos;
    }

    @Override
    public boolean hasEnded() {
        return true;
    }

    @Override
    public int getTotalRecordedEvents() {
        return totalEvents;
    }

    @Override
    public int getTotalRecordedLinks() {
        return 0;
    }

    @Override
    public int getTotalAttributeCount() {
        return attributes.size();
    }

    @Override
    @Deprecated
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return LIBRARY;
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return SCOPE;
    }

    @Override
    public Resource getResource() {
        return resource;
    }

    @Override
    public String toString() {
        return "MappedSpan[" + name + " " + context.getTraceId() + "/" + context.getSpanId() + " parent "
                + parent.getSpanId() + "]";
    }
}
