package io.asynctrace.reader;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskBreakdownTest {
    @Test
    void runningIsTheUnionOfSameThreadSpansAndJobsInTheWindow() {
        TaskBreakdown b = new TaskBreakdown(0, 100);
        b.span(10, 20, 1, 1);
        b.span(15, 30, 1, 1);
        b.span(40, 50, 2, 2);
        b.span(5, 5, 1, 1);
        b.span(60, 90, 1, 2); // ended on another thread: not running
        assertThat(b.running()).isEqualTo(30);
        assertThat(b.queued()).isZero();
        assertThat(b.other()).isEqualTo(70);

        TaskBreakdown clipped = new TaskBreakdown(12, 45);
        clipped.span(10, 20, 1, 1);
        clipped.span(15, 30, 1, 1);
        clipped.span(40, 50, 1, 1);
        assertThat(clipped.running()).isEqualTo(23);
        assertThat(new TaskBreakdown(0, 10).running()).isZero();
    }

    @Test
    void queuedIsWaitingForAThreadWhileNothingRuns() {
        TaskBreakdown b = new TaskBreakdown(0, 100);
        b.job(0, 30, 40, 7);       // waits 0-30, runs 30-40
        b.job(10, 60, -1, 8);      // waits 10-60 (20 of it while nothing ran), runs 60 to the end
        b.job(95, -1, -1, 9);      // queued, never started: waits 95 to the end (covered by the run above)
        assertThat(b.running()).isEqualTo(10 + 40);
        assertThat(b.queued()).isEqualTo(30 + 20);
        assertThat(b.running() + b.queued() + b.other()).isEqualTo(b.duration());
    }

    @Test
    void runtimeEventsCountWhereTheTaskRanOnTheirThread() {
        TaskBreakdown b = new TaskBreakdown(100, 200);
        b.job(100, 110, 150, 1);
        b.span(160, 190, 2, 2);
        assertThat(b.runtime(new RuntimeInfo(120, 1, RuntimeKind.THREAD_PARK, 100, 0, "lock"), true)).isEqualTo(30);
        assertThat(b.runtime(new RuntimeInfo(170, 2, RuntimeKind.SOCKET_READ, 5, 10, "host:1"), true)).isEqualTo(5);
        assertThat(b.runtime(new RuntimeInfo(170, 3, RuntimeKind.THREAD_SLEEP, 5, 0, ""), true)).isEqualTo(-1);
        assertThat(b.runtime(new RuntimeInfo(90, 0, RuntimeKind.GC_PAUSE, 20, 1, "G1"), true)).isEqualTo(10);
        assertThat(b.runtime(new RuntimeInfo(150, 0, RuntimeKind.GC_PAUSE, 20, 2, "G1"), false)).isEqualTo(-1);
        assertThat(b.runtime(new RuntimeInfo(150, 0, RuntimeKind.HEAP_AFTER_GC, 0, 1 << 20, ""), true)).isEqualTo(-1);
        assertThat(b.blocked()).isEqualTo(30);
        assertThat(b.socket()).isEqualTo(5);
        assertThat(b.gc()).isEqualTo(10);
    }

    @Test
    void aTaskOnOneThreadRanThereForRuntimeEventsOnly() {
        TaskBreakdown b = new TaskBreakdown(0, 50);
        b.ranWholeOn(4);
        assertThat(b.runtime(new RuntimeInfo(10, 4, RuntimeKind.MONITOR_ENTER, 15, 0, "Object"), true)).isEqualTo(15);
        assertThat(b.running()).isZero();
    }

    @Test
    void gcPausesOfAnotherMergedInputDoNotCount() {
        assertThat(TaskBreakdown.sameProcess("payments:JVM", "payments:main")).isTrue();
        assertThat(TaskBreakdown.sameProcess("payments:JVM", "checkout:main")).isFalse();
        assertThat(TaskBreakdown.sameProcess("JVM", "main")).isTrue();
        assertThat(TaskBreakdown.sameProcess("payments:JVM", null)).isTrue();
    }
}
