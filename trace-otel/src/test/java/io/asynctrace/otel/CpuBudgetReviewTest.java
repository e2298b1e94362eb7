package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Review of b041af7: CpuBudget keeps a busy thread near its share (passes on main; offered as the missing test). */
class CpuBudgetReviewTest {
    @Test
    void aBusyThreadUsesAboutItsShare() {
        var mx = ManagementFactory.getThreadMXBean();
        CpuBudget budget = new CpuBudget(0.25);
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        long sink = 0;
        while (System.nanoTime() - wall0 < TimeUnit.MILLISECONDS.toNanos(1500)) {
            long spin = System.nanoTime();
            while (System.nanoTime() - spin < 2_000_000) {
                sink++;
            }
            budget.pace();
        }
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        assertThat(sink).isPositive();
        assertThat((double) cpu).as("cpu %d ns over wall %d ns", cpu, wall)
                .isLessThanOrEqualTo(0.25 * wall + TimeUnit.MILLISECONDS.toNanos(CpuBudget.BURST_MILLIS + 20));
        // It paused, unless the machine never gave the thread more than its share (a loaded CI box).
        long parked = budget.parkedNanos();
        assertThat(parked > 0 || cpu <= 0.25 * (wall - parked)).as("parked %d ns, cpu %d ns, wall %d ns", parked, cpu, wall)
                .isTrue();
    }
}
