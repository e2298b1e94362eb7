package io.asynctrace.future;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.JobInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Go's runtime/trace example on the JVM: froth milk and extract coffee on separate
 * threads, mix when both are done; one task per order, measured end to end.
 */
@ExtendWith(NoLeftovers.class)
class CappuccinoTest {
    private static final int ORDERS = 100;

    @AfterEach
    void stop() {
        Trace.stop();
    }

    @Test
    void hundredConcurrentOrdersOnFourThreads() throws Exception {
        Recording rec = Recording.strict();
        ExecutorService plain = Executors.newFixedThreadPool(4);
        ExecutorService pool = TracedExecutors.wrap(plain);
        List<CompletableFuture<String>> cups = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            cups.add(order(i, pool));
        }
        TracedCompletableFuture.allOf(cups.toArray(new CompletableFuture<?>[0])).join();
        plain.shutdown(); // jobs record "finished" after completing their futures
        assertThat(plain.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        TraceModel m = rec.stop();

        assertThat(cups).allSatisfy(c -> assertThat(c.join()).startsWith("cappuccino #"));
        assertThat(m.dropped()).isZero();
        assertThat(m.misuses()).isEmpty();
        List<TaskInfo> orders = m.tasks().stream().filter(t -> t.type().equals("cappuccino"))
                .collect(Collectors.toList());
        assertThat(orders).hasSize(ORDERS).allSatisfy(t -> {
            assertThat(t.complete()).isTrue();
            assertThat(t.outcome()).isEqualTo("ok");
        });
        Map<Long, List<SpanInfo>> spansByTask = m.spans().stream().collect(Collectors.groupingBy(SpanInfo::taskId));
        Map<Long, List<JobInfo>> jobsByTask = m.jobs().stream().collect(Collectors.groupingBy(JobInfo::taskId));
        for (TaskInfo order : orders) {
            List<SpanInfo> spans = spansByTask.get(order.id());
            assertThat(spans).as("spans of %s", order.id()).hasSize(3);
            Map<String, SpanInfo> byName = spans.stream().collect(Collectors.toMap(SpanInfo::name, s -> s));
            assertThat(byName).containsOnlyKeys("frothMilk", "extractCoffee", "mixMilkCoffee");
            SpanInfo milk = byName.get("frothMilk");
            SpanInfo coffee = byName.get("extractCoffee");
            SpanInfo mix = byName.get("mixMilkCoffee");
            assertThat(spans).allSatisfy(s -> assertThat(s.hasStart() && s.hasEnd()).isTrue());
            Set<Long> threads = spans.stream().map(SpanInfo::startThread).collect(Collectors.toSet());
            assertThat(threads).as("threads of %s", order.id()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(milk.startThread()).isNotEqualTo(coffee.startThread());
            assertThat(mix.start()).isGreaterThanOrEqualTo(milk.end()).isGreaterThanOrEqualTo(coffee.end());
            assertThat(order.start()).isLessThanOrEqualTo(Math.min(milk.start(), coffee.start()));
            assertThat(order.end()).isGreaterThanOrEqualTo(mix.end());
            assertThat(jobsByTask.get(order.id())).as("jobs of %s", order.id()).hasSize(3).allSatisfy(j -> {
                assertThat(j.hasQueued() && j.hasStarted() && j.hasFinished()).isTrue();
                assertThat(j.waitNanos()).isNotNegative();
                assertThat(j.runNanos()).isNotNegative();
                assertThat(m.threads().get(j.runThread())).startsWith("pool-");
            });
        }
    }

    /** One order: its task is current while the stages are created; it ends when the cup is ready. */
    private static CompletableFuture<String> order(int id, ExecutorService pool) {
        Task order = Trace.newTask("cappuccino");
        try (Scope s = order.makeCurrent()) {
            Trace.log("orderID", String.valueOf(id));
            // Milk and coffee meet at a barrier, so they run at once on two threads. Jobs
            // are queued milk, coffee, milk, coffee... on a FIFO pool, so at most one
            // waiting half lacks a running partner: no deadlock on four threads.
            CyclicBarrier bothRunning = new CyclicBarrier(2);
            TracedCompletableFuture<String> milk = TracedCompletableFuture.supplyAsync(
                    () -> Trace.withSpan("frothMilk", () -> meet(bothRunning, "milk")), pool);
            TracedCompletableFuture<String> coffee = TracedCompletableFuture.supplyAsync(
                    () -> Trace.withSpan("extractCoffee", () -> meet(bothRunning, "coffee")), pool);
            return milk
                    .thenCombineAsync(coffee, (m, c) -> Trace.withSpan("mixMilkCoffee",
                            () -> "cappuccino #" + id + " of " + m + " and " + c), pool)
                    .whenComplete((cup, error) -> Trace.currentTask().end(error == null ? "ok" : "failed"));
        }
    }

    private static String meet(CyclicBarrier barrier, String what) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("partner never ran", e);
        }
        return what;
    }
}
