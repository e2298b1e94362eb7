package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The mapping, driven event by event (in the orders a trace file can hold them) into an in-memory exporter. */
class SpanMapperTest {
    static final long WALL = 1_700_000_000_000_000_000L;
    static final TraceHeader HEADER = new TraceHeader(1, WALL, 123_456_789L);
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String REMOTE = "00f067aa0ba902b7";

    final Collected collected = new Collected();

    /** A trace of two segments: an order with a child payment task, spans, logs, a job hop. */
    static void order(TraceHandler h) {
        h.onHeader(HEADER);
        h.onSegment(0, 28, 0);
        h.onThread(1, "main");
        h.onTaskBegin(100, 1, 10, 0, "order", false);
        h.onLog(110, 1, 10, "orderID", "42");
        h.onSpanBegin(120, 1, 11, 0, 10, "brew");
        h.onSpanBegin(130, 1, 12, 11, 10, "grind");
        h.onSpanEnd(140, 1, 12);
        h.onSpanEnd(150, 1, 11);
        h.onJobQueued(160, 1, 13, 10);
        h.onTaskBegin(170, 1, 14, 10, "payment", false);
        h.onSpanBegin(175, 1, 16, 0, 10, "deliver"); // detached, ends on the worker
        h.onThread(2, "worker-1");
        h.onJobStarted(200, 2, 13);
        h.onTaskEnd(210, 2, 14, "java.io.IOException");
        h.onJobFinished(260, 2, 13);
        h.onSpanEnd(270, 2, 16);
        h.onTaskEnd(300, 2, 10, "ok");
        h.onSegment(1, 1000, 0);
        h.onThread(1, "main");
        h.onLog(305, 1, 0, "startup", "no task");
    }

    FileExport export() {
        return OtelExport.file(collected, "shop");
    }

    @Test
    void tasksAreSpansNamedByTypeWithTheirSpansLogsAndBreakdown() {
        FileExport e = export();
        order(e.spanPass());
        ExportResult r = e.finish();
        assertThat(r).isEqualTo(new ExportResult(5, 2, 3, 1, 0, 1, 0));
        SpanData order = collected.named("order");
        SpanData payment = collected.named("payment");
        SpanData brew = collected.named("brew");
        SpanData grind = collected.named("grind");
        SpanData deliver = collected.named("deliver");
        assertThat(order.getParentSpanContext().isValid()).isFalse();
        assertThat(order.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(order.getStartEpochNanos()).isEqualTo(WALL + 100);
        assertThat(order.getEndEpochNanos()).isEqualTo(WALL + 300);
        assertThat(order.getStatus()).isEqualTo(io.opentelemetry.sdk.trace.data.StatusData.ok());
        assertThat(order.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("shop");
        assertThat(order.getInstrumentationScopeInfo().getName()).isEqualTo("io.asynctrace");
        for (SpanData s : List.of(payment, brew, grind, deliver)) {
            assertThat(s.getTraceId()).isEqualTo(order.getTraceId());
        }
        assertThat(payment.getParentSpanId()).isEqualTo(order.getSpanId());
        assertThat(payment.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(payment.getStatus().getDescription()).isEqualTo("java.io.IOException");
        assertThat(brew.getParentSpanId()).isEqualTo(order.getSpanId());
        assertThat(grind.getParentSpanId()).isEqualTo(brew.getSpanId());
        assertThat(grind.getEndEpochNanos() - grind.getStartEpochNanos()).isEqualTo(10);
        assertThat(deliver.getAttributes().get(SpanFactory.THREAD)).isEqualTo("main");
        assertThat(deliver.getAttributes().get(SpanFactory.END_THREAD)).isEqualTo("worker-1");
        assertThat(order.getEvents()).hasSize(1);
        assertThat(order.getEvents().get(0).getName()).isEqualTo("orderID");
        assertThat(order.getEvents().get(0).getAttributes().get(SpanFactory.MESSAGE)).isEqualTo("42");
        assertThat(order.getEvents().get(0).getEpochNanos()).isEqualTo(WALL + 110);
        assertThat(order.getAttributes().get(SpanFactory.THREADS)).containsExactly("main", "worker-1");
        assertThat(order.getAttributes().get(SpanFactory.TASK_ID)).isEqualTo(10L);
        assertThat(payment.getAttributes().get(SpanFactory.PARENT_TASK_ID)).isEqualTo(10L);
        // running: brew 120-150 on main and the job 200-260 on the worker; queued 160-200 (nothing ran)
        assertThat(order.getAttributes().get(SpanFactory.RUNNING)).isEqualTo(30L + 60L);
        assertThat(order.getAttributes().get(SpanFactory.QUEUED)).isEqualTo(40L);
        assertThat(order.getAttributes().get(SpanFactory.OTHER)).isEqualTo(200L - 90 - 40);
        assertThat(order.getAttributes().get(SpanFactory.BLOCKED)).isZero();
    }

    @Test
    void theSameFileGivesTheSameIdsAndAnotherRecordingOthers() {
        FileExport e = export();
        order(e.spanPass());
        e.finish();
        List<String> first = ids(collected.spans);
        collected.spans.clear();
        FileExport again = export();
        order(again.spanPass());
        again.finish();
        assertThat(ids(collected.spans)).isEqualTo(first).doesNotHaveDuplicates();
        collected.spans.clear();
        FileExport other = export();
        TraceHandler h = other.spanPass();
        h.onHeader(new TraceHeader(1, WALL + 1, 123_456_789L));
        h.onTaskBegin(100, 1, 10, 0, "order", false);
        h.onTaskEnd(300, 1, 10, "ok");
        other.finish();
        assertThat(first).doesNotContain(ids(collected.spans).get(0));
    }

    @Test
    void aTraceparentPutsTheTaskInThatTraceUnderThatParentAndItsChildrenWithIt() {
        FileExport e = export();
        TraceHandler h = e.spanPass();
        h.onHeader(HEADER);
        h.onTaskBegin(100, 1, 10, 0, "GET /order", false);
        h.onAttribute(101, 1, 10, false, "trace.id", TRACE.toUpperCase());
        h.onAttribute(101, 1, 10, false, "trace.parent_id", REMOTE);
        h.onAttribute(101, 1, 10, false, "http.target", "/order?id=1");
        h.onTaskBegin(110, 1, 20, 10, "makeCappuccino", false);
        h.onSpanBegin(120, 1, 21, 0, 20, "http.client GET");
        h.onAttribute(121, 1, 21, true, "trace.span_id", "b7ad6b7169203331");
        h.onAttribute(122, 1, 21, true, "error", "java.net.ConnectException");
        h.onSpanEnd(130, 1, 21);
        h.onTaskEnd(140, 1, 20, "ok");
        h.onTaskEnd(150, 1, 10, "204");
        e.finish();
        SpanData request = collected.named("GET /order");
        SpanData child = collected.named("makeCappuccino");
        SpanData call = collected.named("http.client GET");
        assertThat(request.getTraceId()).isEqualTo(TRACE);
        assertThat(request.getParentSpanId()).isEqualTo(REMOTE);
        assertThat(request.getParentSpanContext().isRemote()).isTrue();
        assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(request.getAttributes().get(AttributeKey.stringKey("http.target"))).isEqualTo("/order?id=1");
        assertThat(child.getTraceId()).isEqualTo(TRACE);
        assertThat(child.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(call.getSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(call.getStatus().getDescription()).isEqualTo("java.net.ConnectException");
        assertThat(call.getParentSpanId()).isEqualTo(child.getSpanId());
    }

    @Test
    void outcomesMapToStatuses() {
        assertThat(SpanFactory.status("ok").getStatusCode()).isEqualTo(StatusCode.OK);
        assertThat(SpanFactory.status("200").getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(SpanFactory.status("299").getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(SpanFactory.status("404").getDescription()).isEqualTo("404");
        assertThat(SpanFactory.status("2xx").getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(SpanFactory.status("cancelled").getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(SpanFactory.status(null).getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void eventsThatComeOutOfOrderStayWithTheirTask() {
        FileExport e = export();
        TraceHandler h = e.spanPass();
        h.onHeader(HEADER);
        h.onSegment(0, 28, 0);
        // the worker's batch is flushed first: a span end, a log and the task's end before its begin
        h.onSpanEnd(180, 2, 31);
        h.onLog(150, 2, 30, "step", "on the worker");
        h.onTaskEnd(200, 2, 30, "ok");
        h.onTaskBegin(100, 1, 30, 0, "order", false);
        h.onSpanBegin(110, 1, 31, 0, 30, "brew");
        h.onSegment(1, 1000, 0);
        h.onAttribute(120, 1, 30, false, "tier", "gold"); // the next segment: still in time
        h.onSegment(2, 2000, 0);
        assertThat(collected.spans).isEmpty(); // held until the segment after the end's is read
        h.onSegment(3, 3000, 0);
        assertThat(collected.spans).isEmpty(); // the batch is not full yet
        h.onAttribute(130, 1, 30, false, "late", "yes"); // after the task was handed over
        ExportResult r = e.finish();
        SpanData order = collected.named("order");
        assertThat(order.getAttributes().get(AttributeKey.stringKey("tier"))).isEqualTo("gold");
        assertThat(order.getAttributes().get(AttributeKey.stringKey("late"))).isNull();
        assertThat(order.getEvents()).extracting(ev -> ev.getAttributes().get(SpanFactory.MESSAGE))
                .containsExactly("on the worker");
        assertThat(collected.named("brew").getParentSpanId()).isEqualTo(order.getSpanId());
        assertThat(collected.named("brew").getEndEpochNanos()).isEqualTo(WALL + 180);
        assertThat(r.late()).isEqualTo(1);
    }

    @Test
    void whatNeverEndedIsExportedAtTheEndMarkedIncomplete() {
        FileExport e = export();
        TraceHandler h = e.spanPass();
        h.onHeader(HEADER);
        h.onTaskBegin(100, 1, 10, 0, "order", false);
        h.onSpanBegin(110, 1, 11, 0, 10, "brew");
        h.onLog(500, 1, 0, "other", "x");
        e.finish();
        SpanData order = collected.named("order");
        assertThat(order.getEndEpochNanos()).isEqualTo(WALL + 500);
        assertThat(order.getAttributes().get(SpanFactory.INCOMPLETE)).isTrue();
        assertThat(order.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(collected.named("brew").getAttributes().get(SpanFactory.INCOMPLETE)).isTrue();
    }

    @Test
    void manyLogsAreCappedAndCountedAndManySpansAllGo() {
        FileExport e = export();
        TraceHandler h = e.spanPass();
        h.onHeader(HEADER);
        h.onTaskBegin(0, 1, 1, 0, "batch", false);
        int spans = SpanMapper.MAX_BUFFERED_SPANS * 2 + 7;
        for (int i = 0; i < spans; i++) {
            h.onSpanBegin(10 + 2L * i, 1, 100 + i, 0, 1, "item");
            h.onSpanEnd(11 + 2L * i, 1, 100 + i);
        }
        for (int i = 0; i < SpanMapper.MAX_EVENTS + 5; i++) {
            h.onLog(100_000 + i, 1, 1, "line", "n" + i);
        }
        h.onTaskEnd(200_000, 1, 1, "ok");
        ExportResult r = e.finish();
        assertThat(r.asyncSpans()).isEqualTo(spans);
        assertThat(r.droppedEvents()).isEqualTo(5);
        SpanData batch = collected.named("batch");
        assertThat(batch.getEvents()).hasSize(SpanMapper.MAX_EVENTS);
        assertThat(batch.getTotalRecordedEvents()).isEqualTo(SpanMapper.MAX_EVENTS + 5);
        assertThat(collected.allNamed("item")).hasSize(spans).allMatch(s -> s.getTraceId().equals(batch.getTraceId())
                && s.getParentSpanId().equals(batch.getSpanId()));
        assertThat(batch.getAttributes().get(SpanFactory.RUNNING)).isEqualTo((long) spans);
    }

    @Test
    void aSegmentOfManyEndedTasksIsExportedBeforeItEndsSoMemoryStaysBounded() {
        FileExport e = export();
        TraceHandler h = e.spanPass();
        h.onHeader(HEADER);
        h.onSegment(0, 28, 0);
        h.onThread(1, "main");
        int tasks = SpanMapper.MAX_HELD; // each with one span: twice the held limit, all in one segment
        for (int i = 0; i < tasks; i++) {
            long task = 10 + 3L * i;
            h.onTaskBegin(100 + 4L * i, 1, task, 0, "order", false);
            h.onSpanBegin(101 + 4L * i, 1, task + 1, 0, task, "brew");
            h.onSpanEnd(102 + 4L * i, 1, task + 1);
            h.onTaskEnd(103 + 4L * i, 1, task, "ok");
        }
        // Without the limit nothing would go before the segment after next.
        assertThat(collected.spans.size()).isGreaterThanOrEqualTo(2 * tasks - SpanMapper.MAX_HELD
                - FileExport.BATCH_SIZE * (SpanBatcher.IN_FLIGHT + 1));
        h.onSegment(1, 1000, 0);
        ExportResult r = e.finish();
        assertThat(r).isEqualTo(new ExportResult(2L * tasks, tasks, tasks, 0, 0, 0, 0));
        SpanData first = collected.spans.stream().filter(s -> s.getAttributes().get(SpanFactory.TASK_ID) == 10L
                && s.getName().equals("order")).findFirst().orElseThrow();
        SpanData brew = collected.spans.stream().filter(s -> Long.valueOf(11).equals(s.getAttributes()
                .get(SpanFactory.SPAN_ID))).findFirst().orElseThrow();
        assertThat(brew.getParentSpanId()).isEqualTo(first.getSpanId());
        assertThat(brew.getTraceId()).isEqualTo(first.getTraceId());
    }

    @Test
    void runtimeEventsOfThePassBeforeGoIntoTheBreakdown() {
        FileExport e = export();
        TraceHandler first = e.runtimePass();
        first.onRuntime(100, 1, RuntimeKind.THREAD_PARK, 50, 0, "lock"); // on main while the task ran there
        first.onRuntime(250, 0, RuntimeKind.GC_PAUSE, 100, 7, "G1 Young"); // half inside the task
        first.onRuntime(260, 0, RuntimeKind.HEAP_AFTER_GC, 0, 1 << 20, "");
        first.onRuntime(120, 3, RuntimeKind.SOCKET_READ, 10, 5, "db:5432"); // on a thread the task never ran on
        TraceHandler h = e.spanPass();
        h.onHeader(HEADER);
        h.onThread(1, "main");
        h.onTaskBegin(90, 1, 10, 0, "order", false);
        h.onTaskEnd(300, 1, 10, "ok");
        e.finish();
        SpanData order = collected.named("order");
        assertThat(order.getAttributes().get(SpanFactory.BLOCKED)).isEqualTo(50L);
        assertThat(order.getAttributes().get(SpanFactory.GC)).isEqualTo(50L);
        assertThat(order.getAttributes().get(SpanFactory.SOCKET)).isZero();
    }

    @Test
    void aRefusedBatchStopsTheExportSayingHowManySpansWereAccepted() {
        collected.failFromBatch = 2;
        FileExport e = export();
        TraceHandler h = e.spanPass();
        h.onHeader(HEADER);
        for (int i = 1; i <= FileExport.BATCH_SIZE * 3; i++) {
            h.onTaskBegin(i, 1, i, 0, "t", false);
            h.onTaskEnd(i, 1, i, "ok");
        }
        assertThatThrownBy(() -> e.finish()).isInstanceOf(SpanExportException.class)
                .hasMessageContaining("IOException: backend says no")
                .hasMessageEndingWith("after " + FileExport.BATCH_SIZE + " spans were accepted")
                .satisfies(x -> assertThat(((SpanExportException) x).accepted()).isEqualTo(FileExport.BATCH_SIZE));
    }

    @Test
    void endpointsMustBeHttpUrls() {
        assertThatThrownBy(() -> OtelExport.zipkin("localhost:9411")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("endpoint must be an http:// or https:// URL, was localhost:9411");
        assertThatThrownBy(() -> OtelExport.otlpHttp("http:///v1/traces")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("endpoint has no host");
        OtelExport.otlpHttp("https://collector.example:4318/v1/traces").shutdown();
    }

    @Test
    void requestsAreCompressedExceptOnLoopbackAndBadChoicesAreRefused() {
        assertThat(OtelExport.defaultCompression("http://127.0.0.1:9411/api/v2/spans")).isEqualTo("none");
        assertThat(OtelExport.defaultCompression("http://127.8.0.3:4318/v1/traces")).isEqualTo("none");
        assertThat(OtelExport.defaultCompression("http://LOCALHOST:4318/v1/traces")).isEqualTo("none");
        assertThat(OtelExport.defaultCompression("http://[::1]:4318/v1/traces")).isEqualTo("none");
        assertThat(OtelExport.defaultCompression("https://collector.example:4318/v1/traces")).isEqualTo("gzip");
        assertThat(OtelExport.defaultCompression("http://127.0.0.1.example:4318/v1/traces")).isEqualTo("gzip");
        assertThatThrownBy(() -> OtelExport.zipkin("http://127.0.0.1:9411/api/v2/spans", "thrift", "none"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown Zipkin encoding thrift (supported: proto3, json)");
        assertThatThrownBy(() -> OtelExport.otlpHttp("http://127.0.0.1:4318/v1/traces", "zstd"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown compression zstd (supported: gzip, none)");
        OtelExport.zipkin("http://127.0.0.1:9411/api/v2/spans", "json", "gzip").shutdown();
    }

    private static List<String> ids(List<SpanData> spans) {
        return spans.stream().map(s -> s.getName() + " " + s.getTraceId() + "/" + s.getSpanId() + "/" + s.getParentSpanId())
                .sorted().collect(Collectors.toList());
    }
}
