package io.asynctrace.tool;

import io.asynctrace.reader.CallStack;
import io.asynctrace.reader.StackFrame;
import java.io.PrintWriter;

/** How the tool prints a call stack: as JSON ({@code "stack": [...]}) and as indented text lines. */
final class StackText {
    private StackText() {
    }

    /**
     * Writes {@code "stack": [{"class", "method", "file", "line"}, ...]} (innermost first) if there is a stack;
     * {@code "file"} is null and {@code "line"} null when unknown; {@code "stack_truncated": true} follows a cut stack.
     *
     * @param j inside an object
     * @param stack the stack, or null to write nothing
     */
    static void json(JsonWriter j, CallStack stack) {
        if (stack == null) {
            return;
        }
        j.name("stack").beginArray();
        for (StackFrame f : stack.frames()) {
            j.beginObject().field("class", f.className()).field("method", f.method());
            j.name("file").value(f.file().isEmpty() ? null : f.file());
            j.name("line").valueOrNull(f.line() > 0 ? f.line() : -1);
            j.endObject();
        }
        j.endArray();
        if (stack.truncated()) {
            j.field("stack_truncated", true);
        }
    }

    /**
     * Prints one {@code at class.method(File.java:42)} line per frame.
     *
     * @param out where
     * @param indent what each line starts with
     * @param stack the stack, or null to print nothing
     */
    static void text(PrintWriter out, String indent, CallStack stack) {
        if (stack == null) {
            return;
        }
        for (StackFrame f : stack.frames()) {
            out.println(indent + "at " + f);
        }
        if (stack.truncated()) {
            out.println(indent + "... (cut at the recording's stack depth)");
        }
    }
}
