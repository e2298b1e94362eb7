package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * Streams the log messages of a trace, filtered by category and text, straight to
 * the output: text lines or the elements of a JSON array. Messages come in file
 * order (in time order per thread). Memory is the open tasks' types and the thread
 * names.
 */
final class LogsHandler implements TraceHandler {
    private final String category;
    private final String grep;
    private final JsonWriter json;
    private final PrintWriter text;
    private final Map<Long, String> threads = new HashMap<>();
    private final LongMap<String> openTaskTypes = new LongMap<>(1024);
    long matched;

    /**
     * @param category the category to keep, or null for all
     * @param grep text the message (or category) must contain, or null
     * @param json the writer for JSON output (positioned inside an array), or null
     * @param text the writer for text output when {@code json} is null
     */
    LogsHandler(String category, String grep, JsonWriter json, PrintWriter text) {
        this.category = category;
        this.grep = grep;
        this.json = json;
        this.text = text;
    }

    @Override
    public void onThread(long thread, String name) {
        threads.put(thread, name);
    }

    @Override
    public void onTaskBegin(long time, long thread, long task, long parent, String type, boolean earlier) {
        openTaskTypes.put(task, 0, type);
    }

    @Override
    public void onTaskEnd(long time, long thread, long task, String outcome) {
        openTaskTypes.remove(task);
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
        String threadName = threads.getOrDefault(thread, "#" + thread);
        String type = task == 0 ? null : openTaskTypes.get(task);
        if (json != null) {
            json.beginObject().field("time_ns", time).field("thread", threadName);
            if (task == 0) {
                json.name("task").nullValue();
            } else {
                json.field("task", task);
            }
            json.field("task_type", type).field("category", category).field("message", message).endObject();
        } else {
            text.print(Durations.millis(time));
            text.print("ms  ");
            text.print(threadName);
            text.print("  ");
            if (task != 0) {
                text.print("task #" + task + (type == null ? "" : " " + type) + "  ");
            }
            text.print(category);
            text.print(": ");
            text.println(message);
        }
    }
}
