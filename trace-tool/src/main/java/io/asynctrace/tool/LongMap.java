package io.asynctrace.tool;

import java.util.Arrays;

/**
 * An open-addressing map from non-zero {@code long} ids to a {@code long} and an
 * object, without boxing: the analyses keep one entry per open task, span or job,
 * and a trace has tens of millions of them.
 *
 * <p>Not thread-safe. Key 0 is reserved (the trace uses it for "none").
 *
 * @param <V> the object payload type
 */
final class LongMap<V> {
    private long[] keys;
    private long[] longs;
    private Object[] objects;
    private int size;
    private int mask;
    /** Slot of the last successful {@link #find}. */
    private int found = -1;

    LongMap() {
        this(64);
    }

    LongMap(int capacity) {
        int n = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1);
        keys = new long[n];
        longs = new long[n];
        objects = new Object[n];
        mask = n - 1;
    }

    /** Removes every entry (keeping the capacity). */
    void clear() {
        Arrays.fill(keys, 0);
        Arrays.fill(objects, null);
        size = 0;
        found = -1;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Puts or replaces the entry for {@code key}. */
    void put(long key, long l, V o) {
        if (key == 0) {
            throw new IllegalArgumentException("key 0");
        }
        if ((size + 1) * 4L > keys.length * 3L) {
            grow();
        }
        int i = slot(key);
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == 0) {
            size++;
        }
        keys[i] = key;
        longs[i] = l;
        objects[i] = o;
    }

    /** @return whether {@code key} is present; if so {@link #foundLong()} and {@link #foundObject()} return its payload */
    boolean find(long key) {
        if (key == 0 || size == 0) {
            return false;
        }
        int i = slot(key);
        long k;
        while ((k = keys[i]) != 0) {
            if (k == key) {
                found = i;
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    long foundLong() {
        return longs[found];
    }

    @SuppressWarnings("unchecked")
    V foundObject() {
        return (V) objects[found];
    }

    /** @return the object stored for {@code key}, or null */
    V get(long key) {
        return find(key) ? foundObject() : null;
    }

    /** Removes the entry {@link #find} last found. */
    void removeFound() {
        int i = found;
        found = -1;
        objects[i] = null;
        keys[i] = 0;
        size--;
        // Backward-shift deletion keeps probe chains intact without tombstones.
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            long k = keys[j];
            if (k == 0) {
                return;
            }
            int home = slot(k);
            boolean between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!between) {
                keys[i] = k;
                longs[i] = longs[j];
                objects[i] = objects[j];
                keys[j] = 0;
                objects[j] = null;
                i = j;
            }
        }
    }

    /** @return whether {@code key} was present (and is now removed) */
    boolean remove(long key) {
        if (!find(key)) {
            return false;
        }
        removeFound();
        return true;
    }

    /** Calls {@code action} for every entry, in no particular order. */
    void forEach(Entry<V> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                @SuppressWarnings("unchecked")
                V v = (V) objects[i];
                action.accept(keys[i], longs[i], v);
            }
        }
    }

    /** Receives one entry of {@link #forEach}. */
    interface Entry<V> {
        void accept(long key, long l, V o);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldLongs = longs;
        Object[] oldObjects = objects;
        int n = oldKeys.length * 2;
        keys = new long[n];
        longs = new long[n];
        objects = new Object[n];
        mask = n - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                @SuppressWarnings("unchecked")
                V v = (V) oldObjects[i];
                put(oldKeys[i], oldLongs[i], v);
            }
        }
        Arrays.fill(oldObjects, null);
    }
}
