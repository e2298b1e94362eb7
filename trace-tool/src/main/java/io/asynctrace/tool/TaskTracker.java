package io.asynctrace.tool;

import java.util.ArrayList;
import java.util.List;

/**
 * Pairs the begins and ends of tasks in one streaming pass, collects each task's
 * attributes, and hands every task to a {@link Decision} once its attributes are
 * known — the single place where "which attributes does a task have" is decided for
 * {@code --where} and {@code --group-by}.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 *   <li>Threads' batches interleave in the file in flush order, so a task's attribute
 *       may come after its end in the file (set on a thread flushed later), and an end
 *       or an attribute before the begin. A task is therefore decided not at its end
 *       but when the reader starts the <em>second</em> segment after the one holding
 *       the later of its begin and end (or at the end of the file): attributes read
 *       until then count, whenever they were set, the one with the latest time winning.</li>
 *   <li>An attribute that comes later, or names a task whose begin is not in the file,
 *       is not applied; it is counted in {@link #lateAttributes()}, never silently lost.</li>
 *   <li>Tasks that never end are decided at {@link #finish()}, with {@code ended} false.
 *       Ends whose begin never comes are counted in {@link #unmatchedEnds()}, not decided.</li>
 *   <li>Memory: one entry per task open at the current point of the file, per task ended
 *       in the last two segments, per end or attribute that came before its begin
 *       (attributes of at most {@value #ORPHAN_LIMIT} such tasks are kept, the rest count
 *       as late; ends of at most {@value #ORPHAN_LIMIT} tasks not begun yet are kept, the
 *       rest count as unmatched). {@link #finish()} lets go of everything. Not thread-safe.</li>
 * </ul>
 */
final class TaskTracker {
    /** Tasks whose attributes are kept while their begin has not been read. */
    static final int ORPHAN_LIMIT = 1 << 16;

    /** What is known about one task. */
    static final class TaskState {
        final long id;
        String type;
        long parent;
        long start;
        long beginThread;
        boolean begun;
        boolean earlier;
        long end;
        long endThread;
        boolean ended;
        String outcome;
        /** Its attributes, or null when it has none. */
        Attributes attrs;
        /** Whether the {@link Decision} has had it: its attributes are settled. */
        boolean decided;

        TaskState(long id) {
            this.id = id;
        }

        /** @return the value of attribute {@code key}, or null */
        String attr(String key) {
            return attrs == null ? null : attrs.get(key);
        }
    }

    /** Receives each task once its attributes are settled. */
    interface Decision {
        /** @param task a task whose begin was read; {@code task.ended} is false for one that never ended */
        void decided(TaskState task);
    }

    private final Decision decision;
    private final LongMap<TaskState> tasks = new LongMap<>(1024);
    private final LongMap<Attributes> orphans = new LongMap<>();
    private List<TaskState> settlingNow = new ArrayList<>();
    private List<TaskState> settlingBefore = new ArrayList<>();
    private long lateAttributes;
    private long unmatchedEnds;
    /** Tasks in {@link #tasks} whose end was read and whose begin was not (yet). */
    private int endsWithoutBegin;

    TaskTracker(Decision decision) {
        this.decision = decision;
    }

    /** A segment starts: tasks complete since before the previous segment are decided. */
    void segment() {
        decide(settlingBefore);
        List<TaskState> t = settlingBefore;
        settlingBefore = settlingNow;
        settlingNow = t;
    }

    /** @return the task's state (its begin now read), or null when its begin was already read */
    TaskState begin(long time, long thread, long task, long parent, String type, boolean earlier) {
        TaskState t = tasks.get(task);
        if (t == null) {
            t = state(task);
        } else if (t.begun) {
            return null;
        } else if (t.ended) {
            endsWithoutBegin--;
        }
        t.begun = true;
        t.type = type;
        t.parent = parent;
        t.start = time;
        t.beginThread = thread;
        t.earlier = earlier;
        if (t.ended) {
            settlingNow.add(t);
        }
        return t;
    }

    /** @return the task's state (its end now read), or null when its end was already read */
    TaskState end(long time, long thread, long task, String outcome) {
        TaskState t = tasks.get(task);
        if (t == null) {
            if (endsWithoutBegin >= ORPHAN_LIMIT) {
                unmatchedEnds++; // its begin may still come, but no more such ends are kept
                return null;
            }
            endsWithoutBegin++;
            t = state(task);
        } else if (t.ended) {
            return null;
        }
        t.ended = true;
        t.end = time;
        t.endThread = thread;
        t.outcome = outcome;
        if (t.begun) {
            settlingNow.add(t);
        }
        return t;
    }

    void attribute(long time, long task, String key, String value) {
        TaskState t = tasks.get(task);
        Attributes attrs;
        if (t != null) {
            if (t.attrs == null) {
                t.attrs = new Attributes();
            }
            attrs = t.attrs;
        } else {
            attrs = orphans.get(task);
            if (attrs == null) {
                if (orphans.size() >= ORPHAN_LIMIT) {
                    lateAttributes++;
                    return;
                }
                attrs = new Attributes();
                orphans.put(task, 0, attrs);
            }
        }
        attrs.put(key, value, time);
    }

    /**
     * Decides now the tasks that ended and still wait for late attributes (what a caller
     * holding something per undecided task does to stay within a bound): an attribute of
     * theirs read later counts in {@link #lateAttributes()}, as any late one.
     *
     * @return how many tasks were decided
     */
    int settleEarly() {
        int n = settlingBefore.size() + settlingNow.size();
        decide(settlingBefore);
        decide(settlingNow);
        return n;
    }

    /** Decides every task still waiting, and the tasks that never ended. */
    void finish() {
        decide(settlingBefore);
        decide(settlingNow);
        List<TaskState> open = new ArrayList<>();
        tasks.forEach((id, l, t) -> {
            if (t.begun) {
                open.add(t);
            } else {
                unmatchedEnds++;
            }
        });
        open.sort((a, b) -> Long.compare(a.id, b.id));
        for (TaskState t : open) {
            tasks.remove(t.id);
            t.decided = true;
            decision.decided(t);
        }
        orphans.forEach((id, l, a) -> lateAttributes += a.size());
        // Ends whose begin never came, and attributes of tasks never begun: counted, and let go.
        tasks.clear();
        orphans.clear();
        endsWithoutBegin = 0;
    }

    /** @return attributes not applied: read after their task was decided, or naming a task whose begin is not in the file */
    long lateAttributes() {
        return lateAttributes;
    }

    /** @return task ends whose begin was not in the file (valid after {@link #finish()}) */
    long unmatchedEnds() {
        return unmatchedEnds;
    }

    /** @return the state of a task known and not decided yet, or null */
    TaskState pending(long task) {
        return task == 0 ? null : tasks.get(task);
    }

    /** @return the number of tasks known and not yet decided (open, settling, or ended before their begin) */
    int pending() {
        return tasks.size();
    }

    private TaskState state(long task) {
        TaskState t = new TaskState(task);
        if (!orphans.isEmpty() && orphans.find(task)) {
            t.attrs = orphans.foundObject();
            orphans.removeFound();
        }
        tasks.put(task, 0, t);
        return t;
    }

    private void decide(List<TaskState> list) {
        for (TaskState t : list) {
            tasks.remove(t.id);
            t.decided = true;
            decision.decided(t);
        }
        list.clear();
    }
}
