package io.asynctrace.tool;

import io.asynctrace.internal.format.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a trace file's header followed by some of its segments, read with
 * positional reads: what {@link io.asynctrace.reader.TraceReader} needs to read just
 * those segments (each starts with batch headers; from format 3 the reader starts from
 * the tables the index recorded, {@link io.asynctrace.reader.TraceReader.Tables}). The
 * reader reports such a stream as truncated unless it ends with the final segment;
 * window reads ignore that.
 */
final class SegmentStream extends InputStream {
    private final FileChannel channel;
    private final long[][] ranges;
    private int range;
    private long pos;

    /**
     * @param file the trace
     * @param ranges byte ranges {@code {start, end}} of whole segments, in file order
     */
    SegmentStream(Path file, long[][] ranges) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        long[][] all = new long[ranges.length + 1][];
        all[0] = new long[] {0, Wire.HEADER_SIZE};
        System.arraycopy(ranges, 0, all, 1, ranges.length);
        this.ranges = all;
        this.pos = 0;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (range < ranges.length && pos >= ranges[range][1]) {
            range++;
            if (range < ranges.length) {
                pos = ranges[range][0];
            }
        }
        if (range >= ranges.length) {
            return -1;
        }
        int n = (int) Math.min(len, ranges[range][1] - pos);
        int got = channel.read(ByteBuffer.wrap(b, off, n), pos);
        if (got < 0) {
            return -1;
        }
        pos += got;
        return got;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
