package io.asynctrace.reader;

import io.asynctrace.internal.format.Wire;

/**
 * The kinds of JVM runtime events a recording with runtime events on carries
 * (taken from JDK Flight Recorder while recording). Each has a start time, a thread,
 * a duration, a number and a detail, with the meaning given per kind.
 */
public enum RuntimeKind {
    /** A stop-the-world GC pause: duration; value = GC id; detail = the collector's name. Thread 0 ("JVM"). */
    GC_PAUSE(Wire.RUNTIME_GC_PAUSE),
    /** Heap used after a GC: value = bytes; no duration. Thread 0 ("JVM"). */
    HEAP_AFTER_GC(Wire.RUNTIME_HEAP_AFTER_GC),
    /** A thread parked (LockSupport.park, j.u.c locks) longer than the threshold: duration; detail = the blocker's class. */
    THREAD_PARK(Wire.RUNTIME_THREAD_PARK),
    /** A thread waited to enter a monitor longer than the threshold: duration; detail = the monitor's class. */
    MONITOR_ENTER(Wire.RUNTIME_MONITOR_ENTER),
    /** A socket read longer than the threshold: duration; value = bytes read; detail = host:port. */
    SOCKET_READ(Wire.RUNTIME_SOCKET_READ),
    /** A socket write longer than the threshold: duration; value = bytes written; detail = host:port. */
    SOCKET_WRITE(Wire.RUNTIME_SOCKET_WRITE),
    /** {@code Thread.sleep} longer than the threshold: duration. */
    THREAD_SLEEP(Wire.RUNTIME_THREAD_SLEEP),
    /** A virtual thread pinned to its carrier while blocking (Java 21+): duration. */
    VIRTUAL_THREAD_PINNED(Wire.RUNTIME_VIRTUAL_THREAD_PINNED),
    /** A thread started; detail = its name. */
    THREAD_START(Wire.RUNTIME_THREAD_START),
    /** A thread ended. */
    THREAD_END(Wire.RUNTIME_THREAD_END),
    /** JDK Flight Recorder lost runtime events: value = bytes lost, or events behind; detail = why. Thread 0. */
    DATA_LOSS(Wire.RUNTIME_DATA_LOSS),
    /** Runtime events were asked for but cannot be recorded: detail = why. Thread 0. */
    UNAVAILABLE(Wire.RUNTIME_UNAVAILABLE),
    /** A kind written by a newer recorder. */
    UNKNOWN(0);

    private final int code;

    RuntimeKind(int code) {
        this.code = code;
    }

    /** @return the kind's code in the trace format */
    public int code() {
        return code;
    }

    /**
     * @param code a code from a trace
     * @return its kind, {@link #UNKNOWN} if none
     */
    public static RuntimeKind of(long code) {
        for (RuntimeKind k : values()) {
            if (k.code == code && k != UNKNOWN) {
                return k;
            }
        }
        return UNKNOWN;
    }
}
