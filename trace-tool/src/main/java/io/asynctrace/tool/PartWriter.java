package io.asynctrace.tool;

import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Output split into parts of bounded size: {@code out.json}, then {@code out.2.json},
 * {@code out.3.json}, ... The caller asks {@link #full()} between records and starts
 * a new part when it says so, so a part may exceed its budget by one record.
 */
final class PartWriter {
    private final Path first;
    private final long maxBytes;
    /** Chars buffered before the byte count sees them; the budget leaves room for them. */
    private final int bufferSize;
    private final List<Path> paths = new ArrayList<>();
    private Counting counting;
    private Writer writer;

    PartWriter(Path first, long maxBytes) {
        this.first = first;
        this.maxBytes = maxBytes;
        this.bufferSize = (int) Math.max(1024, Math.min(1 << 16, maxBytes / 4));
    }

    /** @return a writer for the next part (the previous one must be closed) */
    Writer next() throws IOException {
        Path path = paths.isEmpty() ? first : partPath(first, paths.size() + 1);
        counting = new Counting(Files.newOutputStream(path));
        writer = new BufferedWriter(new OutputStreamWriter(counting, StandardCharsets.UTF_8), bufferSize);
        paths.add(path);
        return writer;
    }

    /** @return the path of part {@code n} (from 1) of output {@code first} */
    static Path partPath(Path first, int n) {
        if (n == 1) {
            return first;
        }
        String name = first.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String part = dot > 0 ? name.substring(0, dot) + "." + n + name.substring(dot) : name + "." + n;
        return first.resolveSibling(part);
    }

    /** @return whether the current part has reached its budget (counting bytes not yet flushed from the buffer) */
    boolean full() {
        return counting.count >= maxBytes - 4L * bufferSize;
    }

    void closeCurrent() throws IOException {
        writer.close();
    }

    int count() {
        return paths.size();
    }

    List<Path> paths() {
        return List.copyOf(paths);
    }

    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
