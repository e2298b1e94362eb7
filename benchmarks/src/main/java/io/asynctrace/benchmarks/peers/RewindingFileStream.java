package io.asynctrace.benchmarks.peers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file that a benchmark recording is written to, really (through the page cache, as
 * JFR's repository is), but that never grows past {@code limit} bytes: the next write
 * past it starts again at offset 0. JFR gets the same bound from {@code Recording.setMaxSize}.
 * For one writer thread; deletes the file on {@link #close()}.
 */
final class RewindingFileStream extends OutputStream {
    private final Path file;
    private final FileChannel channel;
    private final long limit;
    private long written;

    RewindingFileStream(String prefix, long limit) throws IOException {
        this.file = Files.createTempFile(prefix, ".trace");
        this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (channel.position() + len > limit) {
            channel.position(0);
        }
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        written += len;
    }

    /** @return bytes written since the file was opened, counting the ones overwritten */
    long written() {
        return written;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(file);
    }
}
