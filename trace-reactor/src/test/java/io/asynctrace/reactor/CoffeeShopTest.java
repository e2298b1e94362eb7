package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.JobInfo;
import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.function.Tuple2;

/** The pipeline of the issue, as written, over three schedulers, read back from a real trace. */
@ExtendWith(NoLeftovers.class)
class CoffeeShopTest {
    record Order(String id) {
    }

    record Cup(String milk, String coffee) {
    }

    static Scheduler frother;

    @BeforeAll
    static void schedulers() {
        frother = Schedulers.newSingle("frother");
    }

    @AfterAll
    static void disposeSchedulers() {
        frother.dispose();
    }

    @AfterEach
    void tearDown() {
        Trace.stop();
        ReactorTracing.uninstall();
    }

    /** Starts on boundedElastic (subscribeOn), ends on the frother's thread. */
    static Mono<String> steamMilk(Order order) {
        return Mono.fromCallable(() -> {
            Trace.log("milk", order.id());
            return "milk " + order.id();
        }).publishOn(frother);
    }

    /** Starts on parallel (subscribeOn), ends on a parallel timer thread. */
    static Mono<String> extractCoffee(Order order) {
        return Mono.fromCallable(() -> {
            Trace.log("coffee", order.id());
            return "coffee " + order.id();
        }).delayElement(Duration.ofMillis(1));
    }

    static Cup mix(Tuple2<String, String> t) {
        return new Cup(t.getT1(), t.getT2());
    }

    @Test
    void hundredOrdersOverThreeSchedulers() {
        ReactorTracing.install();
        List<Order> orders = IntStream.range(0, 100).mapToObj(i -> new Order("o" + i)).collect(Collectors.toList());
        Recording rec = Recording.start();
        List<Cup> got;
        try (LeakCheck leaks = LeakCheck.install()) {
            // ---- the code, exactly as written ----
            Flux<Cup> cups = Flux.fromIterable(orders)
                .flatMap(order -> Mono.zip(
                        steamMilk(order).transform(Trace.span("steamMilk"))
                            .subscribeOn(Schedulers.boundedElastic()),
                        extractCoffee(order).transform(Trace.span("extractCoffee"))
                            .subscribeOn(Schedulers.parallel()))
                    .map(t -> { Trace.log("orderID", order.id()); return mix(t); })
                    .transform(Trace.span("mixMilkCoffee"))
                    .transform(Trace.task("order")));
            // ----------------------------------------------
            got = cups.collectList().block(Duration.ofSeconds(30));
            assertThat(leaks.leaks).isEmpty();
            assertThat(leaks.runs.get()).isGreaterThanOrEqualTo(300);
        }
        assertThat(got).hasSize(100);
        assertThat(Trace.currentTask()).isNull();
        TraceModel m = rec.stop();

        List<TaskInfo> tasks = TraceModels.tasks(m, "order");
        assertThat(tasks).hasSize(100).allMatch(TaskInfo::complete).allMatch(t -> "ok".equals(t.outcome()));
        assertThat(m.tasks()).hasSize(100); // no other task
        Map<Long, TaskInfo> byId = tasks.stream().collect(Collectors.toMap(TaskInfo::id, t -> t));
        Map<Long, List<SpanInfo>> spansOf = m.spans().stream().collect(Collectors.groupingBy(SpanInfo::taskId));
        Map<Long, List<LogInfo>> logsOf = m.logs().stream().collect(Collectors.groupingBy(LogInfo::taskId));
        assertThat(spansOf.keySet()).as("every span belongs to an order").isEqualTo(byId.keySet());
        assertThat(logsOf.keySet()).as("every log belongs to an order").isEqualTo(byId.keySet());

        Set<String> orderIds = new HashSet<>();
        for (TaskInfo t : tasks) {
            List<SpanInfo> spans = spansOf.get(t.id());
            assertThat(spans).extracting(SpanInfo::name)
                    .containsExactlyInAnyOrder("steamMilk", "extractCoffee", "mixMilkCoffee");
            Set<Long> threads = new HashSet<>();
            for (SpanInfo s : spans) {
                assertThat(s.hasStart() && s.hasEnd()).isTrue();
                assertThat(s.start()).isGreaterThanOrEqualTo(t.start());
                assertThat(s.end()).isLessThanOrEqualTo(t.end());
                threads.add(s.startThread());
                threads.add(s.endThread());
            }
            assertThat(threads).as("threads of " + t).hasSizeGreaterThanOrEqualTo(2);
            assertThat(m.threads().get(spanNamed(spans, "steamMilk").startThread())).startsWith("boundedElastic");
            assertThat(m.threads().get(spanNamed(spans, "steamMilk").endThread())).startsWith("frother");
            assertThat(m.threads().get(spanNamed(spans, "extractCoffee").startThread())).startsWith("parallel");

            // Its log, and the logs of its source lambdas, all about the same order.
            Map<String, String> logs = new HashMap<>();
            for (LogInfo l : logsOf.get(t.id())) {
                assertThat(logs.put(l.category(), l.message())).as("one log per category").isNull();
            }
            assertThat(logs).containsOnlyKeys("orderID", "milk", "coffee");
            String id = logs.get("orderID");
            assertThat(logs).containsEntry("milk", id).containsEntry("coffee", id);
            assertThat(orderIds.add(id)).as("order " + id + " logged by one task only").isTrue();
        }
        assertThat(orderIds).hasSize(100);

        // Scheduler hops: the subscribeOn and delay hops of each order are jobs of its task.
        Map<Long, List<JobInfo>> jobsOf = m.jobs().stream().collect(Collectors.groupingBy(JobInfo::taskId));
        assertThat(jobsOf.keySet()).isEqualTo(byId.keySet());
        for (TaskInfo t : tasks) {
            List<JobInfo> jobs = jobsOf.get(t.id());
            // A job records "finished" after its work returns, which can be after the order completed
            // and the recording stopped: queued and started are always there, finished where it made it.
            assertThat(jobs).hasSizeGreaterThanOrEqualTo(3).allSatisfy(j -> {
                assertThat(j.hasQueued() && j.hasStarted()).isTrue();
                assertThat(j.waitNanos()).isNotNegative();
                assertThat(!j.hasFinished() || j.runNanos() >= 0).isTrue();
            });
            Set<String> runOn = jobs.stream().map(j -> m.threads().get(j.runThread()).replaceAll("-\\d+$", ""))
                    .collect(Collectors.toSet());
            assertThat(runOn).contains("boundedElastic", "parallel", "frother");
        }
    }

    private static SpanInfo spanNamed(List<SpanInfo> spans, String name) {
        return spans.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
