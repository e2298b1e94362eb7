package io.asynctrace;

import io.asynctrace.internal.format.StackTableBytes;
import io.asynctrace.internal.format.Wire;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A recording's stack table: frames (class, method, file, line) and stacks (lists of
 * frame ids, innermost first), each interned once and given an id from 1. Events carry
 * a stack id; each output gets each entry once, in its first segment that may use it,
 * as it does the string table's (see {@code docs/FORMAT.md}).
 *
 * <p><b>Assumptions and guarantees.</b> {@link #frame} and {@link #stack} may be called
 * from any thread; a lookup of an entry already there takes no lock, a new entry is
 * added under the table's lock and encoded there, once. The encoded table is published
 * as an immutable {@link StackTableBytes.Snapshot} through a volatile field: the writer thread
 * reads {@link #encoded()} and copies the bytes below its lengths, which never change
 * afterwards. A frame's strings are interned into the recording's string table before
 * the frame is published, and a frame before the stacks that use it, so a writer that
 * takes this snapshot first and the string table second has every string and frame a
 * stack needs. When the table is full ({@link Wire#MAX_FRAMES}, {@link Wire#MAX_STACKS},
 * {@link Wire#MAX_STACK_TABLE_BYTES}) a new stack gets id 0: the event says a stack was taken and lost,
 * and the reader counts it.
 */
final class StackTable {
    /** Stands for "no stack" where a stack id is passed: the event is written without one. */
    static final int NONE = -1;

    /** A frame's identity, as interned. */
    record Frame(String className, String method, String file, int line) {
    }

    /** A stack's identity: frame ids and the truncation mark. */
    static final class Key {
        final int[] frames;
        final int length;
        final boolean truncated;
        final int hash;

        Key(int[] frames, int length, boolean truncated) {
            this.frames = frames;
            this.length = length;
            this.truncated = truncated;
            int h = truncated ? 1 : 0;
            for (int i = 0; i < length; i++) {
                h = h * 31 + frames[i];
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.length == length && k.truncated == truncated
                    && Arrays.equals(frames, 0, length, k.frames, 0, length);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Recorder recorder;
    private final ConcurrentHashMap<Frame, Integer> frameIds = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Integer> stackIds = new ConcurrentHashMap<>();
    /** Guarded by itself. */
    private final StackTableBytes bytes = new StackTableBytes();
    /** Published under the lock, read by the writer thread. */
    private volatile StackTableBytes.Snapshot encoded = StackTableBytes.Snapshot.EMPTY;

    StackTable(Recorder recorder) {
        this.recorder = recorder;
    }

    /** Set once the recording ended: the table is empty and takes nothing more. Guarded by {@link #bytes}. */
    private boolean released;

    /**
     * Lets the table go once the recording ended (writer thread): spans and idle threads
     * still refer to the recorder, and must not keep its stacks with it.
     */
    void release() {
        synchronized (bytes) {
            released = true;
            frameIds.clear();
            stackIds.clear();
            bytes.release();
            encoded = StackTableBytes.Snapshot.EMPTY;
        }
    }

    /** @return the encoded table so far; take it before the string table */
    StackTableBytes.Snapshot encoded() {
        return encoded;
    }

    /**
     * @param className the declaring class
     * @param method the method name
     * @param file the source file, null or "" when unknown
     * @param line the line, 0 or less when unknown
     * @return the frame's id, or 0 if the table is full
     */
    int frame(String className, String method, String file, int line) {
        Frame f = new Frame(className, method, file == null ? "" : file, Math.max(0, line));
        Integer id = frameIds.get(f);
        if (id != null) {
            return id;
        }
        synchronized (bytes) {
            id = frameIds.get(f);
            if (id != null) {
                return id;
            }
            int need = StackTableBytes.frameRoom(f.className().length(), f.method().length(), f.file().length());
            if (released || bytes.frameCount() + 1 >= Wire.MAX_FRAMES || bytes.length() + need > Wire.MAX_STACK_TABLE_BYTES) {
                return 0;
            }
            id = bytes.addFrame(recorder.strings.intern(f.className()), f.className(), recorder.strings.intern(f.method()),
                    f.method(), recorder.strings.intern(f.file()), f.file(), f.line());
            frameIds.put(f, id);
            encoded = bytes.snapshot();
            return id;
        }
    }

    /**
     * @param frames frame ids from {@link #frame}, innermost first (none 0)
     * @param length how many of them
     * @param truncated whether outer frames were cut off at the depth bound
     * @return the stack's id, or 0 if the table is full
     */
    int stack(int[] frames, int length, boolean truncated) {
        Key probe = new Key(frames, length, truncated);
        Integer id = stackIds.get(probe);
        if (id != null) {
            return id;
        }
        synchronized (bytes) {
            id = stackIds.get(probe);
            if (id != null) {
                return id;
            }
            if (released || bytes.stackCount() + 1 >= Wire.MAX_STACKS
                    || bytes.length() + StackTableBytes.stackRoom(length) > Wire.MAX_STACK_TABLE_BYTES) {
                return 0;
            }
            id = bytes.addStack(frames, length, truncated);
            stackIds.put(new Key(Arrays.copyOf(frames, length), length, truncated), id);
            encoded = bytes.snapshot();
            return id;
        }
    }
}
