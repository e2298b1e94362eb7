package io.asynctrace.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asynctrace.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hand-off between trace-core's tap thread and the live exporter's thread. */
class LivePipeTest {
    private static final long IDLE = TimeUnit.MILLISECONDS.toNanos(5);

    @Test
    void aWriteBiggerThanTheCapacityGoesIntoAnEmptyPipeAndIsReadWhole() throws Exception {
        LivePipe pipe = new LivePipe(4);
        byte[] big = new byte[100];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        pipe.write(big, 0, big.length); // returns: the pipe was empty
        pipe.close();
        assertThat(pipe.input(IDLE, () -> { }).readAllBytes()).isEqualTo(big);
    }

    @Test
    void closeLetsTheReaderReadWhatIsHeldThenTheEnd() throws Exception {
        LivePipe pipe = new LivePipe(1024);
        pipe.write(new byte[] {1, 2, 3}, 0, 3);
        pipe.write(new byte[] {4}, 0, 1);
        pipe.close();
        InputStream in = pipe.input(IDLE, () -> { });
        assertThat(in.readAllBytes()).containsExactly(1, 2, 3, 4);
        assertThat(in.read()).isEqualTo(-1);
        assertThatThrownBy(() -> pipe.write(new byte[] {5}, 0, 1)).isInstanceOf(IOException.class);
    }

    @Test
    void abandonFreesAWriterBlockedOnAFullPipeAndLaterWritesFailAtOnce() throws Exception {
        LivePipe pipe = new LivePipe(4);
        pipe.write(new byte[4], 0, 4); // full
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                pipe.write(new byte[1], 0, 1);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(50); // give it time to block: it must not have returned
        assertThat(blocked).isNotDone();
        pipe.abandon();
        assertThat(blocked).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(java.io.UncheckedIOException.class);
        assertThatThrownBy(() -> pipe.write(new byte[1], 0, 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("stopped reading");
    }

    @Test
    void aReaderWaitingForBytesRunsItsIdleActionAndThenReadsWhatCame() throws Exception {
        LivePipe pipe = new LivePipe(1024);
        AtomicInteger idle = new AtomicInteger();
        InputStream in = pipe.input(IDLE, idle::incrementAndGet);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                in.transferTo(got);
                return got.toByteArray();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Await.until("the idle action ran while nothing came", () -> idle.get() >= 2);
        pipe.write(new byte[] {9, 8}, 0, 2);
        pipe.close();
        assertThat(read.get(10, TimeUnit.SECONDS)).containsExactly(9, 8);
    }
}
