package io.asynctrace.internal.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Codec#putString} writes what Java's own UTF-8 encoder writes, behind the byte length, for every kind of text. */
class CodecTest {

    /** The reference: varint byte length, then the JDK's UTF-8 of the first {@code n} chars (lone surrogates as '?'). */
    private static byte[] reference(String s, int n) {
        byte[] utf8 = s.substring(0, n).getBytes(StandardCharsets.UTF_8);
        byte[] d = new byte[Codec.MAX_VARINT + utf8.length];
        int p = Codec.putVar(d, 0, utf8.length);
        System.arraycopy(utf8, 0, d, p, utf8.length);
        return Arrays.copyOf(d, p + utf8.length);
    }

    private static byte[] written(String s, int n) {
        byte[] d = new byte[Codec.maxStringBytes(n)];
        Arrays.fill(d, (byte) 0x55); // what an earlier event left in the buffer
        int end = Codec.putString(d, 0, s, n);
        assertThat(end).as("within the bound the caller reserves").isLessThanOrEqualTo(d.length);
        assertThat(end - Codec.MAX_VARINT).isLessThanOrEqualTo(3 * n);
        return Arrays.copyOf(d, end);
    }

    @Test
    void everyKindOfTextIsWrittenAsTheJdkEncodesIt() {
        List<String> texts = List.of("", "value", "a".repeat(127), "a".repeat(128), "a".repeat(300),
                "caf\u00e9", "\u00e9t\u00e9", "a".repeat(126) + "\u00e9", "a".repeat(127) + "\u00e9" + "z".repeat(20),
                "a".repeat(200) + "\u20ac", "\u65e5\u672c", "x\uD83D\uDE00y", "lone \uD800 high", "lone \uDC00 low",
                "end \uD83D", "\u007f\u0080\u07ff\u0800\uffff");
        for (String s : texts) {
            for (int n : new int[] {s.length(), Codec.cut(s, Math.max(0, s.length() - 1))}) {
                assertThat(written(s, n)).as("%s (%d chars)", s, n).isEqualTo(reference(s, n));
            }
        }
    }

    @Test
    void aStringThatTurnsNonAsciiPastTheLengthsVarintBoundaryGetsTheLongerLength() {
        // 127 ASCII chars fit a one-byte length; one more 2-byte char makes 129 bytes: a two-byte length.
        String s = "a".repeat(127) + "\u00e9";
        byte[] w = written(s, s.length());
        assertThat(w.length).isEqualTo(2 + 129);
        assertThat(Codec.decodeString(w, 2, 129)).isEqualTo(s);
    }
}
