package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CpuBudgetTest {
    @Test
    void aLongPauseIsCutIntoSlicesWithTheThreadsDueWorkRunBetween() {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean().isCurrentThreadCpuTimeSupported(),
                "this JVM cannot measure a thread's CPU time: the budget does nothing");
        var mx = ManagementFactory.getThreadMXBean();
        CpuBudget budget = new CpuBudget(0.5);
        budget.pace(); // starts measuring
        long cpu0 = mx.getCurrentThreadCpuTime();
        long sink = 0;
        while (mx.getCurrentThreadCpuTime() - cpu0 < TimeUnit.MILLISECONDS.toNanos(120)) {
            sink++; // 120 ms of CPU at half a core, less the 50 ms burst: at least 100 ms of debt
        }
        int[] between = new int[1];
        budget.pace(TimeUnit.MILLISECONDS.toNanos(20), () -> between[0]++);
        assertThat(sink).isPositive();
        assertThat(budget.parkedNanos()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(between[0]).as("the due work ran between slices of the pause").isGreaterThanOrEqualTo(2);
    }
}
