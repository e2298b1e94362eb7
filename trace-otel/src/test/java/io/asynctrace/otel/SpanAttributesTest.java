package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The export's own cheap building blocks agree with the SDK's: attributes, span contexts, the CPU budget. */
class SpanAttributesTest {
    @Test
    void attributesKeepTheOrderPutALaterValueWinsAndTheyEqualTheSdksOnes() {
        AttributeKey<String> region = SpanFactory.key("region");
        SpanAttributes a = new SpanAttributes.Builder().put(region, "eu").put(SpanFactory.TASK_ID, 7L)
                .put(SpanFactory.OUTCOME, null).put(region, "us").put(SpanFactory.INCOMPLETE, true).build();
        assertThat(a.size()).isEqualTo(3);
        assertThat(a.get(region)).isEqualTo("us");
        assertThat(a.get(SpanFactory.TASK_ID)).isEqualTo(7L);
        assertThat(a.get(SpanFactory.OUTCOME)).isNull();
        List<String> order = new ArrayList<>();
        a.forEach((k, v) -> order.add(k.getKey() + "=" + v));
        assertThat(order).containsExactly("region=us", "asynctrace.task_id=7", "asynctrace.incomplete=true");
        Attributes sdk = Attributes.builder().put(SpanFactory.INCOMPLETE, true).put("region", "us")
                .put(SpanFactory.TASK_ID, 7L).build();
        assertThat(a).isEqualTo(sdk).hasSameHashCodeAs(new SpanAttributes.Builder().put(region, "us")
                .put(SpanFactory.TASK_ID, 7L).put(SpanFactory.INCOMPLETE, true).build());
        assertThat(a.toBuilder().build()).isEqualTo(sdk);
        assertThat(SpanFactory.key("region")).isSameAs(region);
    }

    @Test
    void aSpanContextEqualsTheSdksWithTheSameIds() {
        SpanContext sdk = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                TraceFlags.getSampled(), TraceState.getDefault());
        SpanContext ours = SpanFactory.context(sdk.getTraceId(), sdk.getSpanId(), false);
        assertThat(ours).isEqualTo(sdk).hasSameHashCodeAs(new IdContext(sdk.getTraceId(), sdk.getSpanId(), false));
        assertThat(ours.isValid()).isTrue();
        assertThat(ours.getTraceIdBytes()).isEqualTo(sdk.getTraceIdBytes());
        assertThat(SpanFactory.context(sdk.getTraceId(), sdk.getSpanId(), true)).isNotEqualTo(sdk);
        assertThat(SpanFactory.parent(sdk.getTraceId(), null, false)).isSameAs(SpanContext.getInvalid());
    }

    @Test
    void aThreadOverItsCpuBudgetIsParkedUntilItIsWithinAgain() {
        CpuBudget budget = new CpuBudget(0.5);
        budget.pace(); // starts counting
        assertThat(budget.parkedNanos()).isZero();
        long start = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long spin = 0;
        while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - start < 120_000_000L) {
            spin++; // 120 ms of CPU: more than the 50 ms the bucket holds, whatever the wall clock did meanwhile
        }
        budget.pace();
        assertThat(spin).isPositive();
        assertThat(budget.parkedNanos()).as("parked for the debt at half a core").isPositive();
        assertThat(new CpuBudget(1.0)).satisfies(whole -> {
            whole.pace();
            whole.pace();
            assertThat(whole.parkedNanos()).isZero();
        });
    }
}
