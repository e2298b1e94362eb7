package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Review of d742471: pace(slice, between) re-charges after each slice; when one slice earns
 * less credit (slice x cores) than a round of park + charge + between costs in CPU, the debt
 * grows each round and pace never returns (LiveExporter passes slice = min(delay, 100 ms)).
 */
class Review48CpuBudgetTest {
    @Test
    void aPauseOfAFewMillisecondsEndsWhateverTheSlice() throws Exception {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean().isCurrentThreadCpuTimeSupported());
        CountDownLatch returned = new CountDownLatch(1);
        AtomicLong rounds = new AtomicLong();
        CpuBudget budget = new CpuBudget(0.01); // maxCpu(0.01)
        Thread t = new Thread(() -> {
            var mx = ManagementFactory.getThreadMXBean();
            budget.pace(); // starts measuring
            long cpu0 = mx.getCurrentThreadCpuTime();
            long x = 0;
            while (mx.getCurrentThreadCpuTime() - cpu0 < TimeUnit.MILLISECONDS.toNanos(51)) {
                x++; // the 50 ms burst and ~1 ms more: a debt of ~0.1 s at 1 % of a core
            }
            budget.pace(TimeUnit.MICROSECONDS.toNanos(10), rounds::incrementAndGet); // delay(10 us)
            returned.countDown();
        }, "pacer");
        t.setDaemon(true);
        t.start();
        boolean done = returned.await(20, TimeUnit.SECONDS); // 200 x the debt
        System.out.println("returned " + done + " rounds " + rounds.get() + " parked ms "
                + TimeUnit.NANOSECONDS.toMillis(budget.parkedNanos()));
        assertThat(done).as("pace returned (a ~0.1 s debt)").isTrue();
    }
}
