package io.asynctrace.tool;

import io.asynctrace.reader.RuntimeKind;
import java.util.Locale;

/** What {@code asynctrace profile --kind} attributes time to, and where the stacks come from. */
enum ProfileKind {
    /** Monitor enter and thread park (JVM runtime events, JFR's stacks). */
    BLOCK("delay", "time threads waited to enter a monitor or parked (locks, futures, queues)"),
    /** {@code Thread.sleep}. */
    SLEEP("delay", "time threads slept"),
    /** Socket reads and writes. */
    SOCKET("delay", "time threads spent in socket reads and writes"),
    /** Virtual threads pinned to their carrier while blocking. */
    PINNED("delay", "time virtual threads were pinned to their carrier"),
    /** Jobs queued until a thread ran them, at the stack that queued them. */
    SCHED("delay", "time jobs waited for a thread, at the stack that queued them"),
    /** Span time at the stack each span began at. */
    SPANS("time", "span time, at the stack each span began at");

    final String sampleType;
    final String description;

    ProfileKind(String sampleType, String description) {
        this.sampleType = sampleType;
        this.description = description;
    }

    /** @return whether its samples are JVM runtime events (else asynctrace's own, stacks with stack depth > 0) */
    boolean runtime() {
        return this != SCHED && this != SPANS;
    }

    /** @return whether a runtime event of {@code kind} is a sample of this profile */
    boolean takes(RuntimeKind kind) {
        return switch (this) {
            case BLOCK -> kind == RuntimeKind.MONITOR_ENTER || kind == RuntimeKind.THREAD_PARK;
            case SLEEP -> kind == RuntimeKind.THREAD_SLEEP;
            case SOCKET -> kind == RuntimeKind.SOCKET_READ || kind == RuntimeKind.SOCKET_WRITE;
            case PINNED -> kind == RuntimeKind.VIRTUAL_THREAD_PINNED;
            default -> false;
        };
    }

    /** @return the name given on the command line */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name a {@code --kind} value
     * @return its kind
     * @throws ToolException if there is none
     */
    static ProfileKind parse(String name) {
        for (ProfileKind k : values()) {
            if (k.cliName().equals(name)) {
                return k;
            }
        }
        throw new ToolException("unknown --kind '" + name + "': choose block, sleep, socket, pinned, sched or spans");
    }
}
