package io.asynctrace.tool;

/**
 * A set of non-zero {@code long} ids, as a bitmap in 64 Ki-id chunks: ids the
 * recorder hands out in sequence cost about one bit each (a million matching tasks
 * take some 128 KiB), scattered ids about 8 KiB each at worst. Not thread-safe.
 */
final class IdSet {
    private static final int CHUNK_BITS = 16;
    private final LongMap<long[]> chunks = new LongMap<>();
    private long size;

    void add(long id) {
        long key = (id >>> CHUNK_BITS) + 1;
        long[] chunk = chunks.get(key);
        if (chunk == null) {
            chunk = new long[1 << (CHUNK_BITS - 6)];
            chunks.put(key, 0, chunk);
        }
        int bit = (int) (id & ((1 << CHUNK_BITS) - 1));
        long mask = 1L << (bit & 63);
        if ((chunk[bit >>> 6] & mask) == 0) {
            chunk[bit >>> 6] |= mask;
            size++;
        }
    }

    boolean contains(long id) {
        long[] chunk = chunks.get((id >>> CHUNK_BITS) + 1);
        if (chunk == null) {
            return false;
        }
        int bit = (int) (id & ((1 << CHUNK_BITS) - 1));
        return (chunk[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    long size() {
        return size;
    }

    /** @return a copy, for a reader on another thread while this one still grows */
    IdSet copy() {
        IdSet c = new IdSet();
        chunks.forEach((key, l, chunk) -> c.chunks.put(key, l, chunk.clone()));
        c.size = size;
        return c;
    }

    /** @return about the bytes this set takes */
    long bytes() {
        return (long) chunks.size() * ((8L << (CHUNK_BITS - 6)) + 48);
    }
}
