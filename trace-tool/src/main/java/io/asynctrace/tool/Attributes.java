package io.asynctrace.tool;

import java.util.Arrays;

/**
 * The attributes of one task or span: key to value, the value recorded last (by time;
 * in file order for equal times) winning. Keys keep the order they were first set in.
 * Small and flat, since most tasks have a handful. Not thread-safe.
 */
final class Attributes {
    private String[] keys = new String[2];
    private String[] values = new String[2];
    private long[] times = new long[2];
    private int size;

    /** Records {@code key=value} set at {@code time}; an earlier time than the current value's is ignored. */
    void put(String key, String value, long time) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                if (time >= times[i]) {
                    values[i] = value;
                    times[i] = time;
                }
                return;
            }
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
            times = Arrays.copyOf(times, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        times[size] = time;
        size++;
    }

    /** Adds every attribute of {@code other} (each by its own time). */
    void putAll(Attributes other) {
        for (int i = 0; i < other.size; i++) {
            put(other.keys[i], other.values[i], other.times[i]);
        }
    }

    /** @return the value of {@code key}, or null when it was never set */
    String get(String key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return values[i];
            }
        }
        return null;
    }

    int size() {
        return size;
    }

    /** Writes {@code {"key": "value", ...}}; {@code attrs} may be null (an empty object). */
    static void json(JsonWriter j, Attributes attrs) {
        j.beginObject();
        if (attrs != null) {
            for (int i = 0; i < attrs.size; i++) {
                j.field(attrs.keys[i], attrs.values[i]);
            }
        }
        j.endObject();
    }

    /** @return {@code key=value, ...} for text output, or "" */
    static String text(Attributes attrs) {
        if (attrs == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < attrs.size; i++) {
            b.append(i == 0 ? "" : ", ").append(attrs.keys[i]).append('=').append(attrs.values[i]);
        }
        return b.toString();
    }
}
