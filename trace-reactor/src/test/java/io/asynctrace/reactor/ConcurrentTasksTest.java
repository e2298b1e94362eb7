package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.Await;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

@ExtendWith(NoLeftovers.class)
class ConcurrentTasksTest {
    static final int N = 10_000;

    @AfterEach
    void tearDown() {
        Trace.stop();
        ReactorTracing.uninstall();
    }

    @Test
    void tenThousandTasksOpenAtOnce() throws InterruptedException {
        ReactorTracing.install();
        Recording rec = Recording.start();
        Sinks.One<Integer> gate = Sinks.one();
        Mono<List<Integer>> all;
        try (LeakCheck leaks = LeakCheck.install()) {
            all = Flux.range(0, N)
                    .flatMap(i -> gate.asMono()
                            .publishOn(Schedulers.parallel())
                            .map(v -> {
                                Trace.log("i", Integer.toString(i));
                                return i + v;
                            })
                            .transform(Trace.span("wait"))
                            .transform(Trace.task("c")), N)
                    .collectList()
                    .cache();
            all.subscribe();
            Await.until("all " + N + " tasks waiting at the gate", () -> gate.currentSubscriberCount() == N);
            gate.tryEmitValue(1).orThrow();
            assertThat(all.block(Duration.ofSeconds(20))).hasSize(N);
            assertThat(leaks.leaks).isEmpty();
        }
        TraceModel m = rec.stop();
        List<TaskInfo> tasks = TraceModels.tasks(m, "c");
        assertThat(tasks).hasSize(N).allMatch(TaskInfo::complete).allMatch(t -> t.outcome().equals("ok"));
        long lastStart = tasks.stream().mapToLong(TaskInfo::start).max().orElseThrow();
        long firstEnd = tasks.stream().mapToLong(TaskInfo::end).min().orElseThrow();
        assertThat(lastStart).as("all tasks open at once").isLessThan(firstEnd);
        assertThat(m.spans()).hasSize(N).allSatisfy(s -> assertThat(s.hasEnd()).isTrue());
        assertThat(m.logs()).hasSize(N);
        // Each log is on the task whose span is in the same pipeline: one log and one span per task.
        assertThat(m.logs().stream().map(l -> l.taskId()).distinct().count()).isEqualTo(N);
        assertThat(m.spans().stream().map(s -> s.taskId()).distinct().count()).isEqualTo(N);
    }
}
