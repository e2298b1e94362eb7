package io.asynctrace.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Deterministic output order for maps keyed by name. */
final class Sorted {
    private Sorted() {
    }

    /** @return the entries of {@code map} sorted by key */
    static <V> List<Map.Entry<String, V>> byKey(Map<String, V> map) {
        List<Map.Entry<String, V>> list = new ArrayList<>(map.entrySet());
        list.sort(Map.Entry.comparingByKey());
        return list;
    }
}
