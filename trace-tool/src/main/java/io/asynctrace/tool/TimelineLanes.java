package io.asynctrace.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lanes of the view's timeline and the overview bins behind them: the GC and heap
 * tracks, one lane per thread (in order of first appearance; past
 * {@value #MAX_THREAD_LANES} threads the rest share one lane), one per task type — with a
 * group-by key, one per type and group ({@link Groups}: the key's value, the type's other
 * values past the cap, or none); past {@value #MAX_TYPES} task types, the tasks of any
 * further type share one lane, "other types".
 *
 * <p>Only the index's pass makes lanes ({@link #thread}, {@link #type}); readers of the
 * index (a window) look them up with {@link #laneOf} and {@link #threadLaneOf}, which
 * never add one and may be called <b>without the index's lock</b>, while the pass adds
 * lanes (a window reads the file without it): they see a lane made or not, never a torn
 * one, and a reader ignores the lanes made after it sized its bins ({@link #size()}).
 * Everything else is guarded by the index's lock.
 */
final class TimelineLanes {
    static final int MAX_THREAD_LANES = 512;
    /** Group-by values given lanes of their own over all types (see {@link Groups}). */
    static final int MAX_GROUP_LANES = 256;
    /** Task types given lanes of their own; the tasks of any further type share one. */
    static final int MAX_TYPES = 128;
    /** The name of the lane shared by the types past {@value #MAX_TYPES}. */
    static final String OTHER_TYPES = "(other types)";

    /**
     * A lane: "gc", "heap", "thread" (with its id) or "type" (a task type; with a group-by
     * key, one lane per type and value of the key, {@code group} null for its tasks without it).
     */
    record Lane(String kind, long thread, String name, String group) {
        Lane(String kind, long thread, String name) {
            this(kind, thread, name, null);
        }

        /** @return whether this is a type's lane of the group-by values past {@link Groups#PER_TYPE} */
        boolean otherValues() {
            return Groups.isOther(group);
        }

        /** @return whether this is the lane of the task types past {@link #MAX_TYPES} */
        boolean otherTypes() {
            return OTHER_TYPES_GROUP.equals(group);
        }
    }

    /** The attribute task lanes are split by, or null. */
    final String groupBy;
    final Overview overview = new Overview(TimelineIndex.LANE_HEAP);
    /** The group of the other types' lane (never a recorded value: it starts with a NUL). */
    private static final String OTHER_TYPES_GROUP = "\u0000other types";
    private final List<Lane> lanes = new ArrayList<>();
    /** Lanes made so far; readers without the lock size their bins by it. */
    private volatile int size;
    private final Map<Long, Integer> threadLane = new ConcurrentHashMap<>();
    private final Map<String, Integer> typeLane = new ConcurrentHashMap<>();
    /** The types given lanes of their own (at most {@value #MAX_TYPES}). */
    private final Map<String, Boolean> types = new ConcurrentHashMap<>();
    private final Groups groups = new Groups(MAX_GROUP_LANES);
    private volatile int otherThreadsLane = -1;
    private volatile int otherTypesLane = -1;

    TimelineLanes(String groupBy) {
        this.groupBy = groupBy;
        add(new Lane("gc", 0, "GC"));
        add(new Lane("heap", 0, "heap after GC"));
    }

    private int add(Lane l) {
        lanes.add(l);
        overview.addLane();
        size = lanes.size();
        return lanes.size() - 1;
    }

    /** @return how many lanes there are; any thread may ask (a lane below it is whole) */
    int size() {
        return size;
    }

    /** @return the lane of {@code thread}, made if missing */
    int thread(long thread) {
        Integer i = threadLane.get(thread);
        if (i != null) {
            return i;
        }
        if (threadLane.size() >= MAX_THREAD_LANES) {
            if (otherThreadsLane < 0) {
                otherThreadsLane = add(new Lane("thread", -1, "other threads"));
            }
            threadLane.put(thread, otherThreadsLane);
            return otherThreadsLane;
        }
        int lane = add(new Lane("thread", thread, thread == 0 ? "JVM" : "#" + thread));
        threadLane.put(thread, lane);
        return lane;
    }

    /** The thread's name is known: its lane (unless shared) takes it. */
    void named(long thread, String name) {
        int lane = thread(thread);
        if (lanes.get(lane).thread() == thread) {
            lanes.set(lane, new Lane("thread", thread, name));
        }
    }

    /**
     * The lane of a task decided by the pass, made if missing; with a group-by key its value
     * is given a group here (counted once per task: call it once per task).
     *
     * @param type the task's type
     * @param value its group-by attribute's value (ignored without group-by), or null
     */
    int type(String type, String value) {
        return typeLane(type, groupBy == null ? null : groups.group(type, value));
    }

    /** A type met (its first begin, or in the file's last segments): its lane, without group-by. */
    void typeMet(String type) {
        if (groupBy == null) {
            typeLane(type, null);
        }
    }

    private int typeLane(String type, String group) {
        String key = typeKey(type, group);
        Integer i = typeLane.get(key);
        if (i == null) {
            if (!types.containsKey(type) && types.size() >= MAX_TYPES) {
                if (otherTypesLane < 0) {
                    otherTypesLane = add(new Lane("type", 0, OTHER_TYPES, OTHER_TYPES_GROUP));
                }
                return otherTypesLane;
            }
            types.put(type, Boolean.TRUE);
            i = add(new Lane("type", 0, type, groupBy == null ? null : group));
            typeLane.put(key, i);
        }
        return i;
    }

    private String typeKey(String type, String group) {
        return groupBy == null ? type : type + '\u0000' + (group == null ? "\u0001" : group);
    }

    /**
     * The lane a reader of the index (a window) puts a task in, without making one.
     *
     * @param type the task's type
     * @param value its group-by attribute's value (ignored without group-by), or null
     * @return the lane, or -1 if the pass has not made it yet (a task it has not decided)
     */
    int laneOf(String type, String value) {
        if (!types.containsKey(type)) {
            return types.size() >= MAX_TYPES ? otherTypesLane : -1;
        }
        String group = null;
        if (groupBy != null && value != null) {
            group = groups.peek(type, value, null);
            if (group == null) {
                return -1; // a value the pass has not given a group yet
            }
        }
        Integer i = typeLane.get(typeKey(type, group));
        return i == null ? -1 : i;
    }

    /** @return the lane of {@code thread}'s spans and jobs, without making one; -1 if the pass has not met it */
    int threadLaneOf(long thread) {
        Integer i = threadLane.get(thread);
        if (i != null) {
            return i;
        }
        return threadLane.size() >= MAX_THREAD_LANES ? otherThreadsLane : -1;
    }

    List<Lane> list() {
        return lanes;
    }

    /** @return with a group-by key, the tasks put in a type's lane of other values */
    long folded() {
        return groups.folded();
    }
}
