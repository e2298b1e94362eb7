package io.asynctrace;

import io.asynctrace.internal.format.FileHeader;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The output stream of a {@link Trace#start} recording, as the writer thread sees it:
 * the header, then every segment, with what was written counted. Confined to the
 * writer thread once attached.
 */
final class FileSink {
    private final OutputStream out;
    private final long droppedAtAttach;
    private long bytesWritten;
    private long segments;
    private IOException failure;

    FileSink(OutputStream out, long droppedAtAttach) {
        this.out = out;
        this.droppedAtAttach = droppedAtAttach;
    }

    void writeHeader(Recorder r) throws IOException {
        byte[] h = header(r);
        out.write(h);
        bytesWritten += h.length;
    }

    /** The 28-byte file header of recording {@code r}. */
    static byte[] header(Recorder r) {
        return FileHeader.encode(r.wallBase, r.base);
    }

    void write(byte[] segment, int length) throws IOException {
        out.write(segment, 0, length);
        out.flush();
        bytesWritten += length;
        segments++;
    }

    void flush() throws IOException {
        out.flush();
    }

    void failed(IOException e) {
        failure = e;
    }

    RecordingStats stats(long droppedNow) {
        return new RecordingStats(bytesWritten, segments, droppedNow - droppedAtAttach, failure);
    }
}
