package io.asynctrace.internal.format;

import static io.asynctrace.internal.format.EventSpec.Coding.PARENT;
import static io.asynctrace.internal.format.EventSpec.Coding.REF;
import static io.asynctrace.internal.format.EventSpec.Coding.SPAN;
import static io.asynctrace.internal.format.EventSpec.Coding.STRING;
import static io.asynctrace.internal.format.EventSpec.Coding.TASK;
import static io.asynctrace.internal.format.EventSpec.Coding.VAR;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every event kind of the format, one row each: the single description of the
 * events that {@link EventCursor} walks (for the reader and the recorder's
 * steal/resume path) and that {@link EventEncoder} writes. A new event kind is a
 * new row here, an encoder method, and a case in the reader's dispatch.
 */
public final class EventTable {
    private EventTable() {
    }

    private static final EventSpec[] BY_CODE = new EventSpec[256];
    private static final List<EventSpec> ROWS = new ArrayList<>();

    static {
        batch(Wire.BATCH, "BATCH", f("thread", VAR), f("thread name", REF), f("time", VAR));
        stackRow(Wire.TASK_BEGIN, "TASK_BEGIN", f("task", TASK), f("parent", PARENT), f("type", REF));
        stackRow(Wire.TASK_BEGIN_EARLIER, "TASK_BEGIN_EARLIER", f("task", TASK), f("parent", PARENT), f("type", REF),
                f("age", VAR));
        row(Wire.TASK_END, "TASK_END", f("task", TASK), f("outcome", REF));
        stackRow(Wire.SPAN_BEGIN, "SPAN_BEGIN", f("span", SPAN), f("parent", PARENT), f("task", TASK), f("name", REF));
        row(Wire.SPAN_END, "SPAN_END", f("span", SPAN));
        stackRow(Wire.LOG, "LOG", f("task", TASK), f("category", REF), f("message", STRING));
        stackRow(Wire.LOG_CUT, "LOG_CUT", f("task", TASK), f("category", REF), f("message", STRING),
                f("original chars", VAR));
        row(Wire.TASK_ATTR, "TASK_ATTR", f("task", TASK), f("key", REF), f("value", STRING));
        row(Wire.SPAN_ATTR, "SPAN_ATTR", f("span", SPAN), f("key", REF), f("value", STRING));
        row(Wire.MISUSE, "MISUSE", f("kind", VAR), f("id", VAR));
        stackRow(Wire.JOB_QUEUED, "JOB_QUEUED", f("job", SPAN), f("task", TASK));
        row(Wire.JOB_START, "JOB_START", f("job", SPAN));
        row(Wire.JOB_END, "JOB_END", f("job", SPAN));
        batch(Wire.BATCH_RESUME, "BATCH_RESUME", f("thread", VAR), f("thread name", REF), f("time", VAR),
                f("last span id", VAR), f("last task id", VAR));
        stackRow(Wire.RUNTIME, "RUNTIME", f("kind", VAR), f("duration", VAR), f("value", VAR), f("detail", REF));
    }

    /** The most fields any kind has. */
    public static final int MAX_FIELDS = ROWS.stream().mapToInt(EventSpec::arity).max().orElse(0);

    /**
     * @param code a type byte
     * @return its row, or null for an unknown type
     */
    public static EventSpec spec(byte code) {
        return BY_CODE[code & 0xFF];
    }

    /** @return every row, in type-byte order */
    public static List<EventSpec> rows() {
        return Collections.unmodifiableList(ROWS);
    }

    private static EventSpec.Field f(String name, EventSpec.Coding coding) {
        return new EventSpec.Field(name, coding);
    }

    private static void row(byte code, String name, EventSpec.Field... fields) {
        add(new EventSpec(code, name, false, false, List.of(fields)));
    }

    /** A kind that may carry a stack id. */
    private static void stackRow(byte code, String name, EventSpec.Field... fields) {
        add(new EventSpec(code, name, false, true, List.of(fields)));
    }

    private static void batch(byte code, String name, EventSpec.Field... fields) {
        add(new EventSpec(code, name, true, false, List.of(fields)));
    }

    private static void add(EventSpec spec) {
        if ((spec.code() & Wire.STACK_FLAG) != 0) {
            throw new IllegalStateException(spec.name() + ": type bytes leave the stack flag bit free");
        }
        if (BY_CODE[spec.code() & 0xFF] != null) {
            throw new IllegalStateException("two event kinds with type " + spec.code());
        }
        for (int i = 0; i < spec.arity(); i++) {
            // PARENT is relative to the id decoded just before it.
            if (spec.coding(i) == PARENT && (i == 0 || (spec.coding(i - 1) != SPAN && spec.coding(i - 1) != TASK))) {
                throw new IllegalStateException(spec.name() + ": a parent must follow an id");
            }
        }
        BY_CODE[spec.code() & 0xFF] = spec;
        ROWS.add(spec);
    }
}
