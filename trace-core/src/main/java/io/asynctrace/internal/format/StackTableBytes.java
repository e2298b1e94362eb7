package io.asynctrace.internal.format;

import java.util.Arrays;

/**
 * A recording's stack table, encoded (format version 2 on): frames, then stacks.
 *
 * <pre>
 *  version 2:  N frames: varint | frame x N (ids 1..N)
 *              N stacks: varint | stack x N (ids 1..N)
 *  version 3:  first frame id: varint | N frames: varint | frame x N (ids first..first+N-1)
 *              first stack id: varint | N stacks: varint | stack x N (ids first..first+N-1)
 *  frame:      class ref | method ref | file ref | line varint (0: unknown)
 *  stack:      varint (frames &lt;&lt; 1 | truncated) | frame id varint x frames
 * </pre>
 *
 * Refs are string references into the string table (0 and an inline string where the
 * table is full); a stack's frames are innermost first. In version 3 a segment carries
 * only the frames and stacks its output does not have yet (see {@link SegmentCodec}).
 * The appender is not thread-safe; {@link #snapshot()} hands an immutable view to
 * another thread (the bytes and offsets below its counts never change afterwards).
 */
public final class StackTableBytes {
    /** An immutable view of the encoded table, as a segment copies it. */
    public record Snapshot(int frameCount, byte[] frames, int framesLength, int[] frameStarts, int stackCount,
                           byte[] stacks, int stacksLength, int[] stackStarts) {
        /** No frames, no stacks. */
        public static final Snapshot EMPTY = new Snapshot(0, new byte[0], 0, new int[0], 0, new byte[0], 0,
                new int[0]);

        /** @return the most bytes the whole table takes in a segment body, ids and counts included */
        public int size() {
            return 4 * Codec.MAX_VARINT + framesLength + stacksLength;
        }

        /**
         * @param known frames an output already has (ids 1..known)
         * @return where the frames past them start in {@link #frames()}
         */
        public int frameStart(int known) {
            return known >= frameCount ? framesLength : frameStarts[known];
        }

        /**
         * @param known stacks an output already has (ids 1..known)
         * @return where the stacks past them start in {@link #stacks()}
         */
        public int stackStart(int known) {
            return known >= stackCount ? stacksLength : stackStarts[known];
        }
    }

    private byte[] frames = new byte[1024];
    private int[] frameStarts = new int[64];
    private int[] stackStarts = new int[64];
    private int framesLength;
    private int frameCount;
    private byte[] stacks = new byte[1024];
    private int stacksLength;
    private int stackCount;

    /** Lets the memory go (the recording ended); the table reads as empty afterwards. */
    public void release() {
        frames = new byte[0];
        frameStarts = new int[0];
        stackStarts = new int[0];
        stacks = new byte[0];
        framesLength = 0;
        frameCount = 0;
        stacksLength = 0;
        stackCount = 0;
    }

    /**
     * Most bytes {@link #addFrame} appends for strings of these lengths (chars).
     *
     * @param classChars chars of the class name
     * @param methodChars chars of the method name
     * @param fileChars chars of the file name
     * @return the bound
     */
    public static int frameRoom(int classChars, int methodChars, int fileChars) {
        return 3 + Codec.maxStringBytes(Math.min(classChars, Wire.MAX_NAME_CHARS))
                + Codec.maxStringBytes(Math.min(methodChars, Wire.MAX_NAME_CHARS))
                + Codec.maxStringBytes(Math.min(fileChars, Wire.MAX_NAME_CHARS)) + Codec.MAX_VARINT;
    }

    /**
     * @param frameCount frames of a stack
     * @return the most bytes {@link #addStack} appends for it
     */
    public static int stackRoom(int frameCount) {
        return (frameCount + 1) * Codec.MAX_VARINT;
    }

    /**
     * Appends the next frame.
     *
     * @param classRef the class name's string reference (0: inline)
     * @param className the class name
     * @param methodRef the method name's reference
     * @param method the method name
     * @param fileRef the file name's reference
     * @param file the file name, "" when unknown
     * @param line the line, 0 when unknown
     * @return its id
     */
    public int addFrame(int classRef, String className, int methodRef, String method, int fileRef, String file,
                        int line) {
        int need = framesLength + frameRoom(className.length(), method.length(), file.length());
        if (need > frames.length) {
            frames = Arrays.copyOf(frames, Math.max(need, frames.length * 2));
        }
        if (frameCount == frameStarts.length) {
            frameStarts = Arrays.copyOf(frameStarts, frameCount * 2);
        }
        frameStarts[frameCount] = framesLength;
        int p = framesLength;
        p = Codec.putRef(frames, p, classRef, className);
        p = Codec.putRef(frames, p, methodRef, method);
        p = Codec.putRef(frames, p, fileRef, file);
        framesLength = Codec.putVar(frames, p, Math.max(0, line));
        return ++frameCount;
    }

    /**
     * Appends the next stack.
     *
     * @param frameIds frame ids, innermost first
     * @param length how many
     * @param truncated whether outer frames were cut off
     * @return its id
     */
    public int addStack(int[] frameIds, int length, boolean truncated) {
        int need = stacksLength + stackRoom(length);
        if (need > stacks.length) {
            stacks = Arrays.copyOf(stacks, Math.max(need, stacks.length * 2));
        }
        if (stackCount == stackStarts.length) {
            stackStarts = Arrays.copyOf(stackStarts, stackCount * 2);
        }
        stackStarts[stackCount] = stacksLength;
        int p = Codec.putVar(stacks, stacksLength, ((long) length << 1) | (truncated ? 1 : 0));
        for (int i = 0; i < length; i++) {
            p = Codec.putVar(stacks, p, frameIds[i]);
        }
        stacksLength = p;
        return ++stackCount;
    }

    /** @return frames held */
    public int frameCount() {
        return frameCount;
    }

    /** @return stacks held */
    public int stackCount() {
        return stackCount;
    }

    /** @return bytes of frames and stacks */
    public int length() {
        return framesLength + stacksLength;
    }

    /** @return an immutable view of the table as it is now */
    public Snapshot snapshot() {
        return new Snapshot(frameCount, frames, framesLength, frameStarts, stackCount, stacks, stacksLength, stackStarts);
    }
}
