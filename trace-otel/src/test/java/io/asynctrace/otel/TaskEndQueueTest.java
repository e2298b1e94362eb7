package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.internal.TaskEnd;
import io.asynctrace.testing.Await;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The live exporter's ring: bounded, never blocks a producer, loses and duplicates nothing. */
class TaskEndQueueTest {
    static TaskEnd task(long id, long producer) {
        return new TaskEnd(id, producer, id, "t", 0, 1, "ok", "main", null, null, 0, 0);
    }

    @Test
    void capacityIsRoundedUpToAPowerOfTwo() {
        assertThat(new TaskEndQueue(2048).capacity()).isEqualTo(2048);
        assertThat(new TaskEndQueue(2049).capacity()).isEqualTo(4096);
        assertThat(new TaskEndQueue(3).capacity()).isEqualTo(4);
        assertThat(new TaskEndQueue(1).capacity()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aFullQueueRefusesAtOnceAndTakesAgainOnceDrained() {
        TaskEndQueue q = new TaskEndQueue(4);
        for (int i = 0; i < 4; i++) {
            assertThat(q.offer(task(i, 0))).isEqualTo(i);
        }
        assertThat(q.offer(task(4, 0))).isEqualTo(-1);
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.poll().id()).isEqualTo(0);
        assertThat(q.offer(task(5, 0))).isEqualTo(4);
        List<Long> rest = new ArrayList<>();
        for (TaskEnd t; (t = q.poll()) != null; ) {
            rest.add(t.id());
        }
        assertThat(rest).containsExactly(1L, 2L, 3L, 5L);
        assertThat(q.poll()).isNull();
        assertThat(q.size()).isZero();
    }

    @Test
    void manyProducersOneConsumerEveryElementOnceInEachProducersOrder() throws Exception {
        int producers = 4;
        int each = 200_000;
        TaskEndQueue q = new TaskEndQueue(64); // small, so that producers find it full often
        long[] refused = new long[producers];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    if (q.offer(task(i, producer)) < 0) {
                        refused[producer]++;
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long[] last = new long[producers];
        java.util.Arrays.fill(last, -1);
        long taken = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        go.countDown();
        while (true) {
            TaskEnd t = q.poll();
            if (t == null) {
                assertThat(System.nanoTime() - deadline).as("drained within 30 s, %d taken", taken).isNegative();
                if (threads.stream().noneMatch(Thread::isAlive) && q.size() == 0) {
                    break;
                }
                Thread.onSpinWait();
                continue;
            }
            int producer = (int) t.parentId();
            assertThat(t.id()).as("producer %d's order", producer).isGreaterThan(last[producer]);
            last[producer] = t.id();
            taken++;
        }
        Await.joined(threads.toArray(new Thread[0]));
        long offered = (long) producers * each;
        assertThat(taken + java.util.Arrays.stream(refused).sum()).isEqualTo(offered);
        assertThat(taken).isPositive();
    }
}
