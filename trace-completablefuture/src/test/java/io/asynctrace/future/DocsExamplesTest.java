package io.asynctrace.future;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.Scope;
import io.asynctrace.Task;
import io.asynctrace.Trace;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The examples of docs/FUTURES.md, verbatim, so that they keep compiling and working. */
@ExtendWith(NoLeftovers.class)
class DocsExamplesTest {
    record Milk(String foam) { }

    record Coffee(String shot) { }

    record Cup(Milk milk, Coffee coffee) { }

    @AfterEach
    void stop() {
        Trace.stop();
    }

    // --- docs/FUTURES.md "Future chains"
    static CompletableFuture<Cup> cappuccino(ExecutorService pool) {
        Task order = Trace.newTask("cappuccino");
        try (Scope s = order.makeCurrent()) {
            CompletableFuture<Milk> milk = TracedCompletableFuture.supplyAsync(
                    () -> Trace.withSpan("frothMilk", () -> new Milk("foam")), pool);
            CompletableFuture<Coffee> coffee = TracedCompletableFuture.supplyAsync(
                    () -> Trace.withSpan("extractCoffee", () -> new Coffee("ristretto")), pool);
            return milk
                    .thenCombine(coffee, (m, c) -> Trace.withSpan("mixMilkCoffee", () -> new Cup(m, c)))
                    .whenComplete((cup, error) -> order.end(error == null ? "ok" : "failed"));
        }
    }
    // ---

    @Test
    void futureChainsExample() throws Exception {
        Recording rec = Recording.strict();
        // --- docs/FUTURES.md "Wrapping executors"
        ExecutorService pool = TracedExecutors.wrap(Executors.newFixedThreadPool(4));
        // ---
        Cup cup = cappuccino(pool).join();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        TraceModel m = rec.stop();
        assertThat(cup.milk().foam()).isEqualTo("foam");
        TaskInfo order = m.tasks().iterator().next();
        assertThat(order.complete()).isTrue();
        assertThat(m.spans()).hasSize(3).allSatisfy(s -> assertThat(s.taskId()).isEqualTo(order.id()));
        assertThat(m.jobs()).hasSize(2);
    }

    @Test
    void wrapExample() {
        Task order = Trace.newTask("order");
        CompletableFuture<String> fromLibrary = new CompletableFuture<>();
        CompletableFuture<Task> seen;
        try (Scope s = order.makeCurrent()) {
            // --- docs/FUTURES.md "Futures from elsewhere"
            CompletableFuture<String> body = TracedCompletableFuture.wrap(fromLibrary)
                    .thenApply(String::trim);                  // runs under `order`, whoever completes it
            // ---
            seen = body.thenApply(b -> Trace.currentTask());
        }
        fromLibrary.complete(" ok ");
        assertThat(seen.join()).isSameAs(order);
    }
}
