package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.RuntimeKind;
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
            assertThat(ProgressHandler.class.getDeclaredMethod(m.getName(), m.getParameterTypes()))
                    .as("ProgressHandler forwards %s", m.getName()).isNotNull();
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
}
