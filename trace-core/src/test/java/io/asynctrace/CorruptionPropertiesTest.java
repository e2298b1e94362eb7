package io.asynctrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.reader.CorruptTraceException;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceReader;
import io.asynctrace.testing.Golden;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random corruption never yields anything but the documented exception. */
class CorruptionPropertiesTest {
    private static final byte[] GOLDEN = Golden.v1();

    /** Reads fully; returns normally or throws CorruptTraceException, never anything else. */
    private static void readAll(byte[] bytes) {
        TraceReader reader = new TraceReader(new ByteArrayInputStream(bytes));
        try {
            reader.read(new TraceHandler() { });
        } catch (CorruptTraceException e) {
            assertThat(e.offset()).isBetween(0L, (long) bytes.length);
            assertThat(e.getMessage()).contains("at byte offset " + e.offset());
        } catch (IOException e) {
            throw new AssertionError("undocumented exception", e);
        }
    }

    @Provide
    Arbitrary<List<Integer>> positions() {
        return Arbitraries.integers().between(0, GOLDEN.length - 1).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 400)
    void flippedBytes(@ForAll("positions") List<Integer> at, @ForAll @IntRange(min = 1, max = 255) int mask) {
        byte[] b = GOLDEN.clone();
        for (int p : at) {
            b[p] ^= (byte) mask;
        }
        readAll(b);
    }

    @Property(tries = 1000)
    void flippedBytesBehindValidChecksums(@ForAll("positions") List<Integer> at,
                                          @ForAll @IntRange(min = 1, max = 255) int mask) {
        byte[] b = GOLDEN.clone();
        for (int p : at) {
            if (p >= io.asynctrace.internal.format.Wire.HEADER_SIZE) {
                b[p] ^= (byte) mask;
            }
        }
        TraceFixtures.fixChecksums(b);
        readAll(b);
    }

    @Property(tries = 300)
    void randomBodiesBehindAValidHeader(@ForAll @Size(max = 600) byte[] tail) {
        byte[] b = new byte[io.asynctrace.internal.format.Wire.HEADER_SIZE + tail.length];
        System.arraycopy(GOLDEN, 0, b, 0, io.asynctrace.internal.format.Wire.HEADER_SIZE);
        System.arraycopy(tail, 0, b, io.asynctrace.internal.format.Wire.HEADER_SIZE, tail.length);
        readAll(b);
        if (tail.length > 9) {
            b[io.asynctrace.internal.format.Wire.HEADER_SIZE] = 'S';
            TraceFixtures.fixChecksums(b);
            readAll(b);
        }
    }

    @Property(tries = 200)
    void randomBytes(@ForAll @Size(max = 200) byte[] bytes) {
        readAll(bytes);
    }
}
