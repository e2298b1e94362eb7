package io.asynctrace;

import io.asynctrace.internal.format.Codec;
import io.asynctrace.internal.format.Wire;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One recording's string table: ids 1..{@link #count()} for task types, span names, log
 * categories, attribute keys and stack frames' names, within a byte budget
 * ({@link TraceOptions#maxStringTableBytes()}). Any thread interns (appended under a lock,
 * read without one); the writer thread encodes what was added since its last segment
 * ({@link #table()} up to {@link #count()}).
 */
final class StringTable {
    private final long budget;
    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private volatile String[] strings = new String[256];
    private volatile int count;
    private long bytes; // guarded by ids

    StringTable(long budget) {
        this.budget = budget;
    }

    /**
     * Returns the id of {@code s} (cut as every name is) in the table, adding it while
     * the table is within its budget and {@link Wire#MAX_STRINGS}, or 0: write it inline.
     * The map keys on the cut string, so a caller's long original is not kept, and two
     * names that differ only past the cut share one id.
     */
    int intern(String s) {
        String kept = Codec.cutString(s, Wire.MAX_NAME_CHARS);
        Integer id = ids.get(kept);
        if (id != null) {
            return id;
        }
        synchronized (ids) {
            id = ids.get(kept);
            if (id != null) {
                return id;
            }
            int n = count;
            long more = bytes + Codec.MAX_VARINT + Codec.utf8Length(kept, kept.length());
            if (n + 1 >= Wire.MAX_STRINGS || more > budget) {
                return 0;
            }
            String[] table = strings;
            if (n + 1 >= table.length) {
                table = Arrays.copyOf(table, table.length * 2);
            }
            table[n + 1] = kept;
            strings = table;
            bytes = more;
            count = n + 1; // publishes table[n + 1]
            ids.put(kept, n + 1);
            return n + 1;
        }
    }

    /** @return the highest id given */
    int count() {
        return count;
    }

    /** @return the table: index {@code id} holds the string of {@code id}, for ids up to a {@link #count()} read before */
    String[] table() {
        return strings;
    }

    /** Lets the strings go (the recording ended): names interned afterwards are written inline. */
    void release() {
        synchronized (ids) {
            ids.clear();
            strings = new String[1];
            count = 0;
            bytes = Long.MAX_VALUE / 2; // over any budget: intern returns 0 (inline) from now on
        }
    }
}
