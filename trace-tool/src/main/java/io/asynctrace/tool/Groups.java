package io.asynctrace.tool;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The groups of a {@code --group-by} key, and the one place that bounds them: each task
 * type keeps its first {@value #PER_TYPE} distinct values as groups of their own (and at
 * most {@code total} values over all types); the tasks of any further value go to their
 * type's one {@link #OTHER} group, counted in {@link #folded()}. A key with a value per
 * task ({@code trace.id}) therefore costs a bounded number of rows and lanes, not one per
 * task. Tasks without the key are the group {@code null}, as before. One thread calls
 * {@link #group}; {@link #peek} may be called from others meanwhile (a window read without
 * the index's lock): it sees a value kept or not.
 */
final class Groups {
    /** Distinct values each task type keeps as groups of their own. */
    static final int PER_TYPE = 64;
    /**
     * The group of every value past a type's first {@value #PER_TYPE}: compare with
     * {@link #isOther}. A recorded value equal to its text (a NUL, then "other values")
     * would be folded in with them.
     */
    static final String OTHER = "\u0000other values";

    private final int total;
    private final Map<String, Set<String>> kept = new ConcurrentHashMap<>();
    private volatile int count;
    private long folded;

    /** @param total the most values kept over all task types */
    Groups(int total) {
        this.total = total;
    }

    /** @return whether {@code group} is a type's group of the values past the cap */
    static boolean isOther(String group) {
        return OTHER.equals(group);
    }

    /**
     * @param type the task's type
     * @param value its group-by attribute's value, or null
     * @return the task's group: {@code value} itself, {@code null} for a task without it,
     *     or {@link #OTHER} (counted) once its type has {@value #PER_TYPE} values
     */
    String group(String type, String value) {
        if (value == null) {
            return null;
        }
        Set<String> values = kept.computeIfAbsent(type, k -> ConcurrentHashMap.newKeySet());
        if (values.contains(value) && !isOther(value)) {
            return value;
        }
        if (values.size() >= PER_TYPE || count >= total || isOther(value)) {
            folded++;
            return OTHER;
        }
        values.add(value);
        count++;
        return value;
    }

    /**
     * @return the group {@link #group} gave or would give {@code value}, without counting
     *     or keeping it: {@code value}, null, {@link #OTHER}, or {@code unknown} when it
     *     could still become a group of its own
     */
    String peek(String type, String value, String unknown) {
        if (value == null) {
            return null;
        }
        Set<String> values = kept.get(type);
        if (values != null && values.contains(value) && !isOther(value)) {
            return value;
        }
        if ((values != null && values.size() >= PER_TYPE) || count >= total || isOther(value)) {
            return OTHER;
        }
        return unknown;
    }

    /** @return the tasks put in an {@link #OTHER} group */
    long folded() {
        return folded;
    }
}
