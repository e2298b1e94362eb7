package io.asynctrace.reader;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The call stack an event was recorded with: frames innermost first, as a Java stack
 * trace lists them. Immutable; equal stacks are {@link #equals equal}, so a map keyed
 * by them aggregates per stack.
 *
 * <p>Where stacks come from: JVM runtime events carry the stack JDK Flight Recorder
 * took (on by default with {@code RuntimeEvents}); task begins, span begins, logs and
 * job queueing carry one when the recording was made with
 * {@code TraceOptions.withStackDepth(N)}. A stack is cut at the recording's depth
 * bound; {@link #truncated()} says so.
 */
public final class CallStack {
    private final StackFrame[] frames;
    private final boolean truncated;
    private final int hash;

    private CallStack(StackFrame[] frames, boolean truncated) {
        this.frames = frames;
        this.truncated = truncated;
        this.hash = Arrays.hashCode(frames) * 31 + (truncated ? 1 : 0);
    }

    /**
     * @param frames the frames, innermost first
     * @param truncated whether frames further out were left out (the depth bound was reached)
     * @return the stack
     * @throws NullPointerException if {@code frames} or one of them is null
     */
    public static CallStack of(List<StackFrame> frames, boolean truncated) {
        StackFrame[] a = frames.toArray(new StackFrame[0]);
        for (StackFrame f : a) {
            Objects.requireNonNull(f, "frame");
        }
        return new CallStack(a, truncated);
    }

    /** @return the frames, innermost (where the event happened) first */
    public List<StackFrame> frames() {
        return Collections.unmodifiableList(Arrays.asList(frames));
    }

    /** @return how many frames */
    public int size() {
        return frames.length;
    }

    /**
     * @param i 0 for the innermost frame
     * @return that frame
     * @throws IndexOutOfBoundsException if there is no such frame
     */
    public StackFrame frame(int i) {
        return frames[i];
    }

    /** @return whether outer frames were cut off at the recording's depth bound */
    public boolean truncated() {
        return truncated;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallStack other && hash == other.hash && truncated == other.truncated
                && Arrays.equals(frames, other.frames);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** @return one frame per line, as a Java stack trace prints them */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (StackFrame f : frames) {
            b.append("at ").append(f).append('\n');
        }
        if (truncated) {
            b.append("... (cut at the recording's stack depth)\n");
        }
        return b.toString();
    }
}
