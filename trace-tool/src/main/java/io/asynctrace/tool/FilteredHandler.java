package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.Misuse;
import io.asynctrace.reader.RuntimeKind;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;
import java.util.ArrayList;
import java.util.List;

/**
 * Passes to another handler only what a {@link TaskFilter} keeps, so that any streaming
 * command (summary, logs, export, profile) filters the same way:
 *
 * <ul>
 *   <li>with {@code --where} terms, only the events of matching tasks: the task's own
 *       begin, end and attributes, its spans (and their attributes), logs and jobs, by
 *       the ids of {@link MatchingTasks}; events outside any task are dropped;</li>
 *   <li>of those, tasks, spans and jobs that overlap the window, whole (a begin before
 *       {@code --from} is held back and passed on once the interval reaches the window;
 *       it then arrives later in file order than it was read, which handlers that pair
 *       by id accept), and logs and misuse reports whose time is in the window;</li>
 *   <li>runtime events, which belong to threads, not tasks, when they overlap the
 *       window, whatever the terms; segment and thread events always.</li>
 * </ul>
 * An end, a job start or a span attribute read before its begin (threads' batches
 * interleave) is held until the begin says which task it belongs to. Memory: one slot
 * per open task, span and job, plus the events held for those that began before the
 * window or whose begin has not been read yet. Not thread-safe.
 */
final class FilteredHandler extends StackHandler {
    private final TraceHandler out;
    private final TaskFilter filter;
    private final MatchingTasks matching;
    private final Intervals tasks = new Intervals();
    private final Intervals spans = new Intervals();
    private final Intervals jobs = new Intervals();
    private long lastTime = Long.MIN_VALUE;

    /**
     * @param out receives what passes
     * @param filter the filter
     * @param matching the tasks that pass the attribute terms, or null when there are none
     */
    FilteredHandler(TraceHandler out, TaskFilter filter, MatchingTasks matching) {
        this.out = out;
        this.filter = filter;
        this.matching = matching;
    }

    /** An event to pass on later. */
    private interface Replay {
        void to(TraceHandler h);
    }

    private boolean matches(long task) {
        return matching == null || (task != 0 && matching.contains(task));
    }

    @Override
    public void onHeader(TraceHeader header) {
        out.onHeader(header);
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        out.onSegment(sequence, offset, dropped);
    }

    @Override
    public void onThread(long thread, String name) {
        out.onThread(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier,
                            CallStack stack) {
        see(time);
        tasks.begin(task, matches(task), time, h -> h.onTaskBegin(time, thread, task, parent, type, earlier, stack));
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        see(time);
        tasks.end(task, time, h -> h.onTaskEnd(time, thread, task, outcome));
    }

    @Override
    public void onSpanBegin(long time, long thread, long span, long parent, long task, String name, CallStack stack) {
        see(time);
        tasks.touch(task, time);
        spans.begin(span, matches(task), time, h -> h.onSpanBegin(time, thread, span, parent, task, name, stack));
    }

    @Override
    public void onSpanEnd(long time, long thread, long span) {
        see(time);
        spans.end(span, time, h -> h.onSpanEnd(time, thread, span));
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        see(time);
        Replay r = h -> h.onAttribute(time, thread, target, onSpan, key, value);
        if (onSpan) {
            spans.middle(target, time, r);
        } else if (matches(target)) {
            // An attribute is a property of its task, passed whatever its time if the task is.
            tasks.property(target, r);
        }
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message, CallStack stack) {
        see(time);
        if (filter.contains(time) && matches(task)) {
            tasks.touch(task, time);
            out.onLog(time, thread, task, category, message, stack);
        }
    }

    @Override
    public void onLogCut(long time, long thread, long task, String category, String message, long originalChars,
                         CallStack stack) {
        see(time);
        if (filter.contains(time) && matches(task)) {
            tasks.touch(task, time);
            out.onLogCut(time, thread, task, category, message, originalChars, stack);
        }
    }

    @Override
    public void onJobQueued(long time, long thread, long job, long task, CallStack stack) {
        see(time);
        tasks.touch(task, time);
        jobs.begin(job, matches(task), time, h -> h.onJobQueued(time, thread, job, task, stack));
    }

    @Override
    public void onJobStarted(long time, long thread, long job) {
        see(time);
        jobs.middle(job, time, h -> h.onJobStarted(time, thread, job));
    }

    @Override
    public void onJobFinished(long time, long thread, long job) {
        see(time);
        jobs.end(job, time, h -> h.onJobFinished(time, thread, job));
    }

    @Override
    public void onMisuse(long time, long thread, Misuse kind, long id) {
        see(time);
        if (filter.contains(time)) {
            out.onMisuse(time, thread, kind, id);
        }
    }

    @Override
    public void onRuntime(long time, long thread, RuntimeKind kind, long duration, long value, String detail,
                          CallStack stack) {
        see(time);
        if (filter.overlaps(time, time + duration)) {
            out.onRuntime(time, thread, kind, duration, value, detail, stack);
        }
    }

    /**
     * Passes on what is still held at the end of the file: intervals that began before
     * the window and never ended (they reach it if the trace does). Call after the pass.
     */
    void finish() {
        tasks.finish();
        spans.finish();
        jobs.finish();
    }

    private void see(long time) {
        if (time > lastTime) {
            lastTime = time;
        }
    }

    /** A slot per open interval of one kind: pass it, hold it, or drop it. */
    private final class Intervals {
        private static final int PASSING = 0;
        private static final int DROPPING = 1;
        /** Began before the window: events held until it reaches it. */
        private static final int HELD = 2;
        /** Events read before the begin, held until the begin says whether it matches. */
        private static final int EARLY = 3;

        private final LongMap<Slot> slots = new LongMap<>(1024);

        private final class Slot {
            int mode;
            final List<Replay> held = new ArrayList<>(2);
            long latest = Long.MIN_VALUE;
            boolean ended;
            long endTime;

            Slot(int mode) {
                this.mode = mode;
            }

            void release() {
                for (Replay r : held) {
                    r.to(out);
                }
                held.clear();
                mode = PASSING;
            }
        }

        void begin(long id, boolean match, long time, Replay r) {
            Slot s = slots.get(id);
            if (s == null) {
                if (!match || time > filter.to()) {
                    slots.put(id, 0, new Slot(DROPPING));
                } else if (time >= filter.from()) {
                    r.to(out);
                    slots.put(id, 0, new Slot(PASSING));
                } else {
                    s = new Slot(HELD);
                    s.held.add(r);
                    slots.put(id, 0, s);
                }
                return;
            }
            if (s.mode != EARLY) {
                return; // a second begin of one id: ignore
            }
            boolean reaches = s.ended ? filter.overlaps(time, s.endTime) : time >= filter.from() || s.latest >= filter.from();
            if (!match || (s.ended && !reaches) || time > filter.to()) {
                s.held.clear();
                if (s.ended) {
                    slots.remove(id);
                } else {
                    s.mode = DROPPING;
                }
                return;
            }
            s.held.add(0, r);
            if (reaches) {
                s.release();
                if (s.ended) {
                    slots.remove(id);
                }
            } else {
                s.mode = HELD;
            }
        }

        /** An event inside the interval (a job start, an attribute): passing it shows the interval reaches {@code time}. */
        void middle(long id, long time, Replay r) {
            Slot s = slots.get(id);
            if (s == null) {
                s = new Slot(EARLY);
                slots.put(id, 0, s);
            }
            switch (s.mode) {
                case PASSING -> r.to(out);
                case HELD -> {
                    s.held.add(r);
                    if (time >= filter.from()) {
                        s.release();
                    }
                }
                case EARLY -> {
                    s.held.add(r);
                    s.latest = Math.max(s.latest, time);
                }
                default -> { }
            }
        }

        /** Another event of the interval's at {@code time} (a log of a task): a held interval it reaches is passed on. */
        void touch(long id, long time) {
            if (id == 0 || time < filter.from() || slots.isEmpty()) {
                return;
            }
            Slot s = slots.get(id);
            if (s != null && s.mode == HELD) {
                s.release();
            }
        }

        /** A property of the interval, whose time says nothing about the window (a task attribute). */
        void property(long id, Replay r) {
            Slot s = slots.get(id);
            if (s == null) {
                // Before the begin: the tracker downstream keeps it until the begin comes.
                r.to(out);
            } else if (s.mode == PASSING) {
                r.to(out);
            } else if (s.mode != DROPPING) {
                s.held.add(r);
            }
        }

        void end(long id, long time, Replay r) {
            Slot s = slots.get(id);
            if (s == null) {
                s = new Slot(EARLY);
                slots.put(id, 0, s);
            }
            switch (s.mode) {
                case PASSING -> {
                    r.to(out);
                    slots.remove(id);
                }
                case DROPPING -> slots.remove(id);
                case HELD -> {
                    if (time >= filter.from()) {
                        s.held.add(r);
                        s.release();
                    }
                    slots.remove(id);
                }
                default -> {
                    s.held.add(r);
                    s.ended = true;
                    s.endTime = time;
                }
            }
        }

        void finish() {
            List<Slot> open = new ArrayList<>();
            slots.forEach((id, l, s) -> open.add(s));
            for (Slot s : open) {
                if (s.mode == HELD && lastTime >= filter.from()) {
                    s.release();
                } else if (s.mode == EARLY && matching == null && s.ended && filter.contains(s.endTime)) {
                    // An end whose begin is not in the file: the handler counts it as such.
                    s.release();
                }
            }
            slots.forEach((id, l, s) -> s.held.clear());
        }
    }
}
