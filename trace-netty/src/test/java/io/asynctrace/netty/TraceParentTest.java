package io.asynctrace.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceParentTest {
    @Test
    void parsesVersion00() {
        TraceParent p = TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(p.traceId).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(p.parentId).isEqualTo("00f067aa0ba902b7");
        assertThat(p.flags).isEqualTo("01");
    }

    @Test
    void acceptsLaterVersionsWithMoreFields() {
        TraceParent p = TraceParent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-what-the-future-holds");
        assertThat(p.parentId).isEqualTo("00f067aa0ba902b7");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"
    })
    void rejectsInvalidValues(String value) {
        assertThat(TraceParent.parse(value)).isNull();
    }

    @Test
    void newIdsRoundTrip() {
        String header = TraceParent.format(TraceParent.newTraceId(), TraceParent.newSpanId());
        assertThat(header).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(TraceParent.parse(header)).isNotNull();
    }
}
