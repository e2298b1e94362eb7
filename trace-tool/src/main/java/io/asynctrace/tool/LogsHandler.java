package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Streams the log messages of a trace, filtered by category and text, straight to
 * the output: text lines or the elements of a JSON array. Messages come in file
 * order (in time order per thread). Memory is the open tasks' types and the thread
 * names.
 *
 * <p>With {@code attrs}, each message also carries its task's attributes as settled by
 * a {@link TaskTracker}: a message waits in a queue, in file order, until its task is
 * decided. At most {@value #MAX_WAITING} messages wait; past that the oldest is written
 * with the attributes read so far and counted in {@link #unsettled}.
 */
final class LogsHandler implements TraceHandler {
    /** Messages held at most while their tasks' attributes settle. */
    static final int MAX_WAITING = 1 << 16;

    private final String category;
    private final String grep;
    private final JsonWriter json;
    private final PrintWriter text;
    private final Map<Long, String> threads = new HashMap<>();
    private final LongMap<String> openTaskTypes = new LongMap<>(1024);
    /** With attributes: the tracker, and the messages waiting for their task to be decided. */
    private final TaskTracker tracker;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    long matched;
    /** Messages written before their task's attributes were settled (the queue was full). */
    long unsettled;

    private record Waiting(long time, long thread, long task, String type, String category, String message,
            TaskTracker.TaskState state) {
    }

    /**
     * @param category the category to keep, or null for all
     * @param grep text the message (or category) must contain, or null
     * @param json the writer for JSON output (positioned inside an array), or null
     * @param text the writer for text output when {@code json} is null
     * @param attrs whether each message carries its task's attributes
     */
    LogsHandler(String category, String grep, JsonWriter json, PrintWriter text, boolean attrs) {
        this.category = category;
        this.grep = grep;
        this.json = json;
        this.text = text;
        this.tracker = attrs ? new TaskTracker(t -> drain()) : null;
    }

    @Override
    public void onSegment(long sequence, long offset, long dropped) {
        if (tracker != null) {
            tracker.segment();
        }
    }

    @Override
    public void onThread(long thread, String name) {
        threads.put(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        openTaskTypes.put(task, 0, type);
        if (tracker != null) {
            tracker.begin(time, thread, task, parent, type, earlier);
        }
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        openTaskTypes.remove(task);
        if (tracker != null) {
            tracker.end(time, thread, task, outcome);
        }
    }

    @Override
    public void onAttribute(long time, long thread, long target, boolean onSpan, String key, String value) {
        if (tracker != null && !onSpan) {
            tracker.attribute(time, target, key, value);
        }
    }

    @Override
    public void onLog(long time, long thread, long task, String category, String message) {
        if (this.category != null && !this.category.equals(category)) {
            return;
        }
        if (grep != null && !message.contains(grep) && !category.contains(grep)) {
            return;
        }
        matched++;
        String type = task == 0 ? null : openTaskTypes.get(task);
        if (tracker == null) {
            write(time, thread, task, type, category, message, null, false);
            return;
        }
        TaskTracker.TaskState state = tracker.pending(task);
        waiting.add(new Waiting(time, thread, task, type, category, message, state));
        if (waiting.size() > MAX_WAITING) {
            Waiting w = waiting.poll();
            unsettled++;
            write(w, true);
        }
        drain();
    }

    /** Writes the messages still waiting, once the file is read. */
    void finish() {
        if (tracker != null) {
            tracker.finish();
            drain();
            while (!waiting.isEmpty()) {
                write(waiting.poll(), true);
            }
        }
    }

    private void drain() {
        while (!waiting.isEmpty() && (waiting.peek().state == null || waiting.peek().state.decided)) {
            write(waiting.poll(), true);
        }
    }

    private void write(Waiting w, boolean withAttrs) {
        write(w.time, w.thread, w.task, w.type == null && w.state != null ? w.state.type : w.type, w.category,
                w.message, w.state == null ? null : w.state.attrs, withAttrs);
    }

    private void write(long time, long thread, long task, String type, String category, String message,
            Attributes attrs, boolean withAttrs) {
        String threadName = threads.getOrDefault(thread, "#" + thread);
        if (json != null) {
            json.beginObject().field("time_ns", time).field("thread", threadName);
            if (task == 0) {
                json.name("task").nullValue();
            } else {
                json.field("task", task);
            }
            json.field("task_type", type).field("category", category).field("message", message);
            if (withAttrs) {
                json.name("attrs");
                Attributes.json(json, attrs);
            }
            json.endObject();
        } else {
            text.print(Durations.millis(time));
            text.print("ms  ");
            text.print(threadName);
            text.print("  ");
            if (task != 0) {
                text.print("task #" + task + (type == null ? "" : " " + type) + "  ");
            }
            if (withAttrs && attrs != null) {
                text.print("[" + Attributes.text(attrs) + "]  ");
            }
            text.print(category);
            text.print(": ");
            text.println(message);
        }
    }
}
