package io.asynctrace.benchmarks.core;

import io.asynctrace.Trace;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Issue 13's string-table case: spans named after distinct 1 000-character SQL
 * statements (70 000 by default), each used {@code uses} times, recorded to a file
 * with the default options; prints the file's size against the names' own bytes.
 * Uses only {@code Trace.start/withSpan/stop}, so the same class runs against an
 * older trace-core (benchmarks/string-table.sh runs it before and after).
 *
 * <p>Run: {@code java -cp CLASSPATH io.asynctrace.benchmarks.core.StringTableSize OUT.trace [NAMES] [USES]}
 */
public final class StringTableSize {
    private StringTableSize() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "names.trace");
        int names = args.length > 1 ? Integer.parseInt(args[1]) : 70_000;
        int uses = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long nameBytes = 0;
        long start = System.nanoTime();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            Trace.start(out);
            try {
                for (int u = 0; u < uses; u++) {
                    for (int i = 0; i < names; i++) {
                        String sql = sql(i);
                        nameBytes += sql.length();
                        Trace.withSpan(sql, () -> { });
                    }
                }
            } finally {
                Trace.stop();
            }
        }
        long size = Files.size(file);
        System.out.printf("%d distinct names x %d uses: names %.1f MB, file %.1f MiB (%.2f file bytes per name byte),"
                        + " %.1f s%n", names, uses, nameBytes / 1e6, size / 1048576.0, (double) size / nameBytes,
                (System.nanoTime() - start) / 1e9);
    }

    /** A distinct statement of exactly 1 000 characters. */
    static String sql(int i) {
        String head = "SELECT o.id, o.total FROM orders o WHERE o.customer = " + i + " AND o.note = '";
        StringBuilder b = new StringBuilder(1000).append(head);
        while (b.length() < 999) {
            b.append((char) ('a' + (b.length() * 31 + i) % 26));
        }
        return b.append('\'').toString();
    }
}
