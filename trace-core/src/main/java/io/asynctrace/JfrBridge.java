package io.asynctrace;

import io.asynctrace.reader.RuntimeKind;

/**
 * Feeds JVM runtime events from JDK Flight Recorder into a recording, where JFR is
 * there: whether it is is found out once, and the class that uses {@code jdk.jfr}
 * ({@link JfrStream}) is loaded only then. Where JFR is missing or will not start,
 * the recording carries an {@link RuntimeKind#UNAVAILABLE} event saying why.
 */
abstract class JfrBridge {
    private static final System.Logger LOG = System.getLogger("io.asynctrace");
    private static final String MISSING = missing();

    /** Stops the stream after the events recorded so far have arrived (bounded wait). */
    abstract void stop();

    /** Closes the stream at once, without waiting for its last events (the recording failed). */
    abstract void abort();

    static JfrBridge start(Recorder r, RuntimeEvents events) {
        String why = MISSING;
        if (why == null) {
            try {
                return new JfrStream(r, events);
            } catch (RuntimeException | LinkageError e) {
                why = "JDK Flight Recorder did not start: " + e;
            }
        }
        unavailable(r, why);
        return null;
    }

    /** Says in the trace (and the log) why it has no runtime events. */
    static void unavailable(Recorder r, String why) {
        LOG.log(System.Logger.Level.WARNING, "asynctrace: no runtime events in this trace: " + why);
        r.runtimeEvent(0, "JVM", System.nanoTime(), 0, RuntimeKind.UNAVAILABLE.code(), 0, why);
    }

    private static String missing() {
        try {
            Class.forName("jdk.jfr.consumer.RecordingStream");
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "this Java runtime has no jdk.jfr module (JDK Flight Recorder)";
        }
    }
}
