package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.reader.LogInfo;
import io.asynctrace.reader.SpanInfo;
import io.asynctrace.reader.TaskInfo;
import io.asynctrace.reader.TraceModel;
import io.asynctrace.testing.NoLeftovers;
import io.asynctrace.testing.Recording;
import io.asynctrace.testing.TraceModels;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A span whose body throws, and names, keys and values cut at 1 024 chars without splitting a surrogate pair. */
@ExtendWith(NoLeftovers.class)
class NamesAndSpansTest {
    /** An emoji: one code point, two chars (a surrogate pair). */
    private static final String PAIR = "\ud83d\ude00";

    @Test
    void aSpanWhoseBodyThrowsEndsAndTheExceptionPropagates() {
        Recording rec = Recording.strict(); // a span left open or misnested would throw
        Task task = Trace.newTask("t");
        try (Scope s = task.makeCurrent()) {
            assertThatThrownBy(() -> Trace.withSpan("failingRunnable", (Runnable) () -> {
                throw new IllegalStateException("boom");
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThatThrownBy(() -> Trace.withSpan("failingSupplier", (Supplier<String>) () -> {
                throw new IllegalArgumentException("bad");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad");
            Trace.withSpan("after", () -> { });
        }
        task.end();
        TraceModel m = rec.stop();
        for (String name : new String[] {"failingRunnable", "failingSupplier"}) {
            SpanInfo failed = TraceModels.onlySpan(m, name);
            assertThat(failed.hasEnd()).as("%s ended", name).isTrue();
            assertThat(failed.taskId()).isEqualTo(task.id());
        }
        assertThat(TraceModels.onlySpan(m, "after").parentId()).as("the thrown span is no longer current").isZero();
    }

    @Test
    void namesKeysAndValuesAreCutAt1024CharsNeverInsideASurrogatePair() {
        String exact = "a".repeat(1024);
        String over = "b".repeat(1500);
        String pairAtTheCut = "c".repeat(1023) + PAIR + "tail"; // the pair would straddle char 1024
        Recording rec = Recording.start();
        Task task = Trace.newTask(pairAtTheCut).attr(over, pairAtTheCut);
        try (Scope s = task.makeCurrent()) {
            Trace.withSpan(exact, () -> { });
            Span span = Trace.startSpan(over).attr(pairAtTheCut, exact + "!");
            span.end();
            Trace.log(pairAtTheCut, "m");
        }
        task.end();
        TraceModel m = rec.stop();

        String cutBeforePair = "c".repeat(1023);
        TaskInfo t = TraceModels.task(m, task);
        assertThat(t.type()).isEqualTo(cutBeforePair);
        assertThat(t.attributes()).containsExactly(java.util.Map.entry("b".repeat(1024), cutBeforePair));
        assertThat(TraceModels.spans(m, exact)).as("exactly 1 024 chars: kept whole").hasSize(1);
        SpanInfo cut = TraceModels.onlySpan(m, "b".repeat(1024));
        assertThat(cut.attributes()).containsExactly(java.util.Map.entry(cutBeforePair, exact));
        LogInfo log = m.logs().get(0);
        assertThat(log.category()).isEqualTo(cutBeforePair);

        String withPairKept = "d".repeat(1022) + PAIR + "tail"; // the pair ends exactly at char 1024
        Recording again = Recording.start();
        Trace.withSpan(withPairKept, () -> { });
        assertThat(TraceModels.onlySpan(again.stop(), "d".repeat(1022) + PAIR).name()).hasSize(1024);
    }

    @Test
    void aMessageCutAt4096CharsKeepsAWholeSurrogatePairAndSaysSo() {
        String message = "x".repeat(4095) + PAIR + "y".repeat(10);
        Recording rec = Recording.start();
        Trace.log("big", message);
        LogInfo log = rec.stop().logs().get(0);
        assertThat(log.message()).startsWith("x".repeat(4095))
                .doesNotContain("?")
                .endsWith("[cut from " + message.length() + " chars]");
        assertThat(Character.isHighSurrogate(log.message().charAt(4095))).as("no half pair kept").isFalse();
    }
}
