package io.asynctrace.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Deterministic output order for maps keyed by name (or any comparable key). */
final class Sorted {
    private Sorted() {
    }

    /** @return the entries of {@code map} sorted by key */
    static <K extends Comparable<? super K>, V> List<Map.Entry<K, V>> byKey(Map<K, V> map) {
        List<Map.Entry<K, V>> list = new ArrayList<>(map.entrySet());
        list.sort(Map.Entry.comparingByKey());
        return list;
    }
}
