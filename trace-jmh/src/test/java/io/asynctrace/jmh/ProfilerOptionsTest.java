package io.asynctrace.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.ProfilerException;

class ProfilerOptionsTest {
    @Test
    void defaults() throws Exception {
        for (String line : new String[] {null, "", " ; ;"}) {
            ProfilerOptions o = ProfilerOptions.parse(line);
            assertThat(o.dir).isEqualTo(Path.of("target/asynctrace"));
            assertThat(o.runtime).isTrue();
            assertThat(o.warmup).isFalse();
            assertThat(o.flight).isNull();
        }
    }

    @Test
    void everyOption() throws Exception {
        ProfilerOptions o = ProfilerOptions.parse("dir=traces/run 1; runtime=false;warmup=TRUE;flight=30;");
        assertThat(o.dir).isEqualTo(Path.of("traces/run 1"));
        assertThat(o.runtime).isFalse();
        assertThat(o.warmup).isTrue();
        assertThat(o.flight).isEqualTo(Duration.ofSeconds(30));
        assertThat(o).hasToString("dir=traces/run 1;runtime=false;warmup=true;flight=30");
    }

    @Test
    void badOptionsSayWhichAndWhatIsAccepted() {
        assertBad("runtime=yes", "TraceProfiler: option 'runtime' must be true or false, was 'yes'");
        assertBad("warmup=1", "TraceProfiler: option 'warmup' must be true or false, was '1'");
        assertBad("flight=0", "TraceProfiler: option 'flight' must be a whole number of seconds from 1 to 86400, was '0'");
        assertBad("flight=10s", "TraceProfiler: option 'flight' must be a whole number of seconds from 1 to 86400, was '10s'");
        assertBad("flight=86401", "TraceProfiler: option 'flight' must be a whole number of seconds from 1 to 86400, was '86401'");
        assertBad("dir=", "TraceProfiler: option 'dir' needs a value: dir=DIRECTORY");
        assertBad("runtime", "TraceProfiler: option 'runtime' needs a value: runtime=true or runtime=false");
        assertBad("dir=a;dir=b", "TraceProfiler: option 'dir' given twice");
        assertBad("dir=a\0b", "TraceProfiler: option 'dir' is not a valid path: 'a\0b' (Nul character not allowed)");
        assertBad("Dir=a", "TraceProfiler: unknown option 'Dir'; accepted: " + ProfilerOptions.ACCEPTED);
        assertBad("help", "TraceProfiler options: " + ProfilerOptions.ACCEPTED);
    }

    private static void assertBad(String line, String message) {
        assertThatThrownBy(() -> ProfilerOptions.parse(line)).isInstanceOf(ProfilerException.class).hasMessage(message);
    }
}
