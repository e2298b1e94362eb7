package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.StackFrame;
import io.asynctrace.reader.TraceHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress bar's wrapper hands every event on: a big file read on a terminal loses nothing. */
class ProgressHandlerTest {
    @Test
    void everyKindOfEventIsForwarded() throws Exception {
        for (Method m : TraceHandler.class.getMethods()) {
            // Its own, or StackHandler's (a form without a stack goes to the one with: forwarded there).
            assertThat(ProgressHandler.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass())
                    .as("ProgressHandler forwards %s", m).isIn(ProgressHandler.class, StackHandler.class);
        }
    }

    @Test
    void runtimeEventsReachTheHandler() {
        List<String> seen = new ArrayList<>();
        TraceHandler h = new ProgressHandler(new TraceHandler() {
            @Override
            public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail) {
                seen.add(kind + " " + duration);
            }
        }, new Scan.Progress(new PrintWriter(new StringWriter()), 100));
        h.onRuntime(5, 0, RuntimeKind.GC_PAUSE, 7, 1, "G1");
        assertThat(seen).containsExactly("GC_PAUSE 7");
    }

    @Test
    void stacksReachTheHandler() {
        List<String> got = new ArrayList<>();
        TraceHandler sink = new TraceHandler() {
            @Override
            public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                                  CallStack stack) {
                got.add("runtime " + kind + " " + (stack == null ? "-" : stack.frame(0).method()));
            }

            @Override
            public void onSpanBegin(long time, long thread, long span, long parent, long task, String name,
                                    CallStack stack) {
                got.add("span " + name + " " + (stack == null ? "-" : stack.frame(0).method()));
            }
        };
        ProgressHandler h = new ProgressHandler(sink, new Scan.Progress(new PrintWriter(new StringWriter()), 100));
        CallStack stack = CallStack.of(List.of(new StackFrame("com.example.Shop", "brew", "Shop.java", 7)), false);
        h.onRuntime(1, 2, RuntimeKind.THREAD_SLEEP, 3, 0, "", stack);
        h.onRuntime(1, 2, RuntimeKind.GC_PAUSE, 3, 0, "G1");
        h.onSpanBegin(1, 2, 3, 0, 4, "brew", stack);
        assertThat(got).containsExactly("runtime THREAD_SLEEP brew", "runtime GC_PAUSE -", "span brew brew");
    }
}
