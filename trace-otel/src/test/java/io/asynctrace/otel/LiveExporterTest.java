package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The live path: ended tasks of a running recording to a user's SpanExporter; the current OTel span at newTask. */
class LiveExporterTest {
    final Collected collected = new Collected();

    @Test
    void endedTasksGoOutWithTheIdsAndTimesOfTheFileExport() throws Exception {
        Recording rec = Recording.start();
        try (LiveExporter live = LiveExporter.builder(collected).resource(OtelExport.resource("live"))
                .delay(Duration.ofMillis(20)).start()) {
            Task order = Trace.newTask("order");
            try (Scope s = order.makeCurrent()) {
                Trace.newTask("payment").end("java.io.IOException");
            }
            order.end();
            Await.until("both tasks exported", () -> live.exported() == 2);
        }
        rec.stop();
        SpanData order = collected.named("order");
        SpanData payment = collected.named("payment");
        assertThat(payment.getParentSpanId()).isEqualTo(order.getSpanId());
        assertThat(payment.getTraceId()).isEqualTo(order.getTraceId());
        assertThat(payment.getStatus().getDescription()).isEqualTo("java.io.IOException");
        assertThat(order.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("live");

        Collected fromFile = new Collected();
        FileExport file = OtelExport.file(fromFile, "live");
        new io.asynctrace.reader.TraceReader(new ByteArrayInputStream(rec.bytes())).read(file.spanPass());
        file.finish();
        for (String name : new String[] {"order", "payment"}) {
            SpanData a = collected.named(name);
            SpanData b = fromFile.named(name);
            assertThat(a.getSpanContext()).isEqualTo(b.getSpanContext());
            assertThat(a.getParentSpanContext()).isEqualTo(b.getParentSpanContext());
            assertThat(a.getStartEpochNanos()).isEqualTo(b.getStartEpochNanos());
            assertThat(a.getEndEpochNanos()).isEqualTo(b.getEndEpochNanos());
        }
    }

    @Test
    void aRootTaskCreatedUnderACurrentOtelSpanJoinsIt() throws Exception {
        Span app = Span.wrap(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                TraceFlags.getSampled(), TraceState.getDefault())); // what the application's SDK made current
        Recording rec = Recording.start();
        Task order;
        Task child;
        try (LiveExporter live = LiveExporter.builder(collected).delay(Duration.ofMillis(20)).start()) {
            try (io.opentelemetry.context.Scope otel = app.makeCurrent()) {
                order = Trace.newTask("order");
                try (Scope s = order.makeCurrent()) {
                    child = Trace.newTask("payment");
                    child.end();
                }
                order.end();
            }
            Trace.newTask("unrelated").end();
            Await.until("three tasks exported", () -> live.exported() == 3);
        }
        TraceModel m = rec.stop();
        String traceId = app.getSpanContext().getTraceId();
        String spanId = app.getSpanContext().getSpanId();
        TaskInfo recorded = TraceModels.task(m, order);
        assertThat(recorded.attributes()).containsEntry("trace.id", traceId).containsEntry("trace.parent_id", spanId);
        assertThat(TraceModels.task(m, child).attributes()).doesNotContainKey("trace.parent_id");
        assertThat(TraceModels.onlyTask(m, "unrelated").attributes()).isEmpty();
        assertThat(collected.named("order").getTraceId()).isEqualTo(traceId);
        assertThat(collected.named("order").getParentSpanId()).isEqualTo(spanId);
        assertThat(collected.named("payment").getTraceId()).isEqualTo(traceId);
        assertThat(collected.named("payment").getParentSpanId()).isEqualTo(collected.named("order").getSpanId());
        assertThat(collected.named("unrelated").getTraceId()).isNotEqualTo(traceId);

        Collected fromFile = new Collected();
        FileExport file = OtelExport.file(fromFile, "app");
        new io.asynctrace.reader.TraceReader(new ByteArrayInputStream(rec.bytes())).read(file.spanPass());
        file.finish();
        assertThat(fromFile.named("order").getParentSpanId()).isEqualTo(spanId);
        assertThat(fromFile.named("payment").getTraceId()).isEqualTo(traceId);
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlockingTheApplication() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inExport = new CountDownLatch(1);
        SpanExporter stuck = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                inExport.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return collected.export(spans);
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        Recording rec = Recording.start();
        LiveExporter live = LiveExporter.builder(stuck).queueSize(16).batchSize(1).delay(Duration.ofMillis(1)).start();
        int tasks = 1;
        try {
            Trace.newTask("first").end();
            assertThat(inExport.await(30, TimeUnit.SECONDS)).isTrue(); // the worker is stuck in the exporter
            for (int i = 0; i < 400; i++) {
                Trace.newTask("t").end(); // returns at once although nothing can be sent
                tasks++;
                if (i % 10 == 9) {
                    assertThat(Trace.flush()).isTrue(); // a segment of ten tasks: far more than 4 KiB in all
                }
            }
            assertThat(live.exported()).isZero();
        } finally {
            release.countDown();
            live.close();
            rec.stop();
        }
        long notSent = tasks - live.exported();
        assertThat(live.exported()).isPositive();
        assertThat(notSent).isPositive();
        // every task not sent lost its begin or its end, or both, and only those were lost
        assertThat(live.dropped()).isBetween(notSent, 2 * notSent);
    }

    @Test
    void aQueueSmallerThanOneSegmentStillTakesEverySegmentWhileTheExporterIsIdle() throws Exception {
        Recording rec = Recording.start();
        try (LiveExporter live = LiveExporter.builder(collected).queueSize(1).batchSize(1).delay(Duration.ofMillis(1))
                .start()) {
            for (int i = 1; i <= 5; i++) {
                Trace.newTask("t").attr("i", "" + i).end();
                assertThat(Trace.flush()).isTrue();
                int sent = i;
                Await.until("task " + i + " sent", () -> live.exported() == sent); // idle again before the next
            }
            assertThat(live.dropped()).isZero();
            assertThat(live.forgotten()).isZero();
        } finally {
            rec.stop();
        }
    }

    @Test
    void refusedBatchesAreCounted() throws Exception {
        collected.failFromBatch = 1;
        Recording rec = Recording.start();
        try (LiveExporter live = LiveExporter.builder(collected).delay(Duration.ofMillis(10)).start()) {
            Trace.newTask("t").end();
            Await.until("the batch refused", () -> live.failed() == 1);
            assertThat(live.exported()).isZero();
        } finally {
            rec.stop();
        }
    }

    @Test
    void nothingIsSentWhileTracingIsOffOrAfterClose() throws Exception {
        LiveExporter live = LiveExporter.builder(collected).delay(Duration.ofMillis(10)).start();
        Trace.newTask("off").end();
        live.close();
        Recording rec = Recording.start();
        Trace.newTask("after").end();
        rec.stop();
        assertThat(collected.spans).isEmpty();
        assertThat(live.dropped()).isZero();
        assertThatThrownBy(() -> LiveExporter.builder(collected).queueSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queueSize must be positive, was 0");
        Map<String, Long> none = collected.spans.stream().collect(Collectors.groupingBy(SpanData::getName, Collectors.counting()));
        assertThat(none).isEmpty();
    }
}
