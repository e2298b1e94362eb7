package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a file's last segments from its end, whatever their size (they were searched for in the last 4 MiB only). */
class TailSegmentsTest {
    @TempDir
    Path dir;

    @Test
    void aLastSegmentLargerThanTheOldTailReadIsFound() throws Exception {
        Path real = dir.resolve("real.trace");
        Traces.many(real, 10, 1);
        byte[] header = Arrays.copyOf(Files.readAllBytes(real), Wire.HEADER_SIZE);
        // Framing only (find() checks tag, length and checksum; it does not decode): 6 MiB, then 100 bytes.
        byte[] big = segment(6 << 20, (byte) 7);
        byte[] small = segment(100, (byte) 9);
        Path file = dir.resolve("big-segments.trace");
        byte[] all = new byte[header.length + big.length + small.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(big, 0, all, header.length, big.length);
        System.arraycopy(small, 0, all, header.length + big.length, small.length);
        Files.write(file, all);
        long[][] found = TailSegments.find(file, all.length, 3);
        assertThat(found).isDeepEqualTo(new long[][] {{Wire.HEADER_SIZE, Wire.HEADER_SIZE + big.length},
            {Wire.HEADER_SIZE + big.length, all.length}});
        // Past the last two, no more segments than the bytes asked for.
        assertThat(TailSegments.find(file, all.length, 1, 0)).hasDimensions(1, 2);
        // Cut mid-segment after a segment longer than a cut file's search goes back: none, not an error.
        Path cut = dir.resolve("cut.trace");
        Files.write(cut, Arrays.copyOf(all, all.length - 50));
        assertThat(TailSegments.find(cut, all.length - 50, 3)).isEmpty();
    }

    /** A crashed recording's file ends mid-segment: its last whole segments are those before the cut one. */
    @Test
    void aFileCutMidSegmentGivesTheWholeSegmentsBeforeTheCut() throws Exception {
        Path real = dir.resolve("real.trace");
        Traces.many(real, 10, 1);
        byte[] header = Arrays.copyOf(Files.readAllBytes(real), Wire.HEADER_SIZE);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(header);
        long[] starts = new long[4];
        for (int i = 0; i < 4; i++) {
            starts[i] = out.size();
            out.write(segment(100_000 + i, (byte) (i + 1)));
        }
        byte[] all = out.toByteArray();
        Path cut = dir.resolve("cut-small.trace");
        int size = (int) starts[3] + 5_000; // in the last segment's body
        Files.write(cut, Arrays.copyOf(all, size));
        assertThat(TailSegments.find(cut, size, 2)).isDeepEqualTo(new long[][] {{starts[1], starts[2]}, {starts[2], starts[3]}});
        // Cut inside the header of the last segment: no length to go by, none found.
        Files.write(cut, Arrays.copyOf(all, (int) starts[3] + 3));
        assertThat(TailSegments.find(cut, starts[3] + 3, 2)).isEmpty();
    }

    private static byte[] segment(int bodyLength, byte fill) {
        byte[] s = new byte[Wire.SEGMENT_PREFIX + bodyLength];
        Arrays.fill(s, Wire.SEGMENT_PREFIX, s.length, fill);
        s[0] = Wire.SEGMENT_TAG;
        Codec.putInt(s, 1, bodyLength);
        CRC32C crc = new CRC32C();
        crc.update(s, Wire.SEGMENT_PREFIX, bodyLength);
        Codec.putInt(s, 5, (int) crc.getValue());
        return s;
    }
}
