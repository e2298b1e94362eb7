package io.asynctrace;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Takes the calling thread's stack for asynctrace's own events (task begin, span
 * begin, log, job queued) in recordings made with {@link TraceOptions#withStackDepth}:
 * up to the depth's worth of the frames {@link StackWalker} shows by default, the
 * frames of trace-core itself left out, so a stack starts at the caller of the API.
 *
 * <p><b>Cheap where call sites repeat.</b> Besides the walk itself (which no cache
 * saves: {@code BENCHMARKS.md}), what costs is what a frame is asked: its method name,
 * line and file each take a call into the VM per frame and walk, where its declaring
 * class and bytecode index are plain fields (Java 17 to 25). So a walk asks only those
 * two of each frame, and a per-thread cache
 * maps the sequence of (class, bytecode index) to the stack's id in the
 * {@link StackTable}; only a sequence not seen before is resolved (names, lines,
 * files, a second, default walk that gives exactly the frames to keep) and interned.
 *
 * <p><b>Why a (class, bytecode index) sequence names a stack.</b> The instruction at a
 * caller's bytecode index names the method it calls, so a frame's method follows from
 * its caller's frame, as long as that caller is a known method and called it directly.
 * The walk sees to both:
 * <ul>
 * <li>it shows the frames a default walk hides (lambda proxies, method handles,
 *     reflection), so the caller of a lambda's body is its proxy, one class per lambda;</li>
 * <li>a frame called from a native method or from {@code java.lang.invoke} (method
 *     handles, which call what their data says) is known by its method name too, and so
 *     is the outermost frame of the walk: the one past the depth bound, or the bottom of
 *     the stack unless a thread's own entry ({@link Thread#run} and the like);</li>
 * <li>where the JVM calls a method that no instruction names, a class initializer
 *     ({@code <clinit>}) run by the first use of its class, a stack with such a frame is
 *     resolved every time, never cached;</li>
 * <li>on Java 21 and older the method names carry their descriptors (free there), so
 *     overloads are told apart too; on 22 and later a descriptor costs a class lookup
 *     per parameter, and two overloads of one method, reached at the same bytecode index
 *     through the same method-handle or native call site (or as the frame past the depth
 *     bound), may be taken for one another.</li>
 * </ul>
 * What is left: the class loader's {@code loadClass} run by the JVM from a caller's
 * instruction that also calls a method of that loader's class, and classes redefined
 * while recording (the cached lines are those of the first version).
 *
 * <p><b>Assumptions and guarantees.</b> Confined to its thread (one per
 * {@link ThreadState}, bound to one recording); the caches hold classes and ids of that
 * recording's table only, and are dropped with it. It holds the table itself only
 * during a capture, which is given it: an idle thread must not keep a stopped
 * recording alive. Memory: {@value #STACK_CACHE} cached
 * stacks of at most the walk's length, and {@value #FRAME_CACHE} frames.
 */
final class StackCapture implements Function<Stream<StackWalker.StackFrame>, Object> {
    private static final int FRAME_CACHE = 512; // power of two
    private static final int STACK_CACHE = 128; // power of two
    /** Frames a walk may take beyond the depth: trace-core's own and hidden frames. */
    private static final int SLACK = 16;
    /** Whether a method's descriptor comes with its name (Java 21 and older), so overloads are told apart. */
    private static final boolean CHEAP_DESCRIPTOR = Runtime.version().feature() < 22;

    /** The table of the capture under way, only during it. */
    private StackTable table;
    private final int depth;
    /** Shows every frame and its class: the walk that makes the cache's key. */
    private final StackWalker keyWalker;
    /** The frames a stack keeps, as {@link StackWalker} shows them by default. */
    private final StackWalker frameWalker;
    private final FrameWalk frameWalk = new FrameWalk();

    // The key of the last walk: frames from trace-core's caller outwards.
    private Class<?>[] keyClass;
    private int[] keyBci;
    /** A frame's method name (and descriptor) where its caller does not tell it, else null. */
    private String[] keyName;
    /** The frames themselves, for their names (kept until the next walk overwrites them). */
    private StackWalker.StackFrame[] walked;
    private int keyLength;
    private boolean keyTruncated;
    private int keyHash;

    // Stack cache: a key to its stack id.
    private final Class<?>[][] cachedClass = new Class<?>[STACK_CACHE][];
    private final int[][] cachedBci = new int[STACK_CACHE][];
    private final String[][] cachedName = new String[STACK_CACHE][];
    private final boolean[] cachedTruncated = new boolean[STACK_CACHE];
    private final int[] cachedId = new int[STACK_CACHE];

    // Filled by the frame walk: per frame kept its id, and whether frames were cut off.
    private final int[] frames;
    private int length;
    private boolean truncated;

    // Frame cache: class, method (see frameId) and bytecode index to frame id.
    private final Class<?>[] frameClass = new Class<?>[FRAME_CACHE];
    private final String[] frameMethod = new String[FRAME_CACHE];
    private final int[] frameBci = new int[FRAME_CACHE];
    private final int[] frameId = new int[FRAME_CACHE];

    StackCapture(int depth) {
        this.depth = depth;
        this.frames = new int[depth];
        int room = depth + SLACK;
        keyClass = new Class<?>[room];
        keyBci = new int[room];
        keyName = new String[room];
        walked = new StackWalker.StackFrame[room];
        keyWalker = StackWalker.getInstance(EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE,
                StackWalker.Option.SHOW_HIDDEN_FRAMES), room);
        frameWalker = StackWalker.getInstance(EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE), depth + 8);
    }

    /**
     * Takes the calling thread's stack.
     *
     * @param into the bound recording's stack table
     * @return its id in the table, or 0 if the table is full (the stack is lost and the event says so)
     */
    int capture(StackTable into) {
        keyWalker.walk(this);
        int slot = keyHash & (STACK_CACHE - 1);
        if (cached(slot)) {
            return cachedId[slot];
        }
        table = into;
        int id;
        try {
            frameWalker.walk(frameWalk);
            id = intern();
        } finally {
            table = null;
        }
        if (id != 0 && !hasInitializer()) {
            int n = keyLength;
            cachedClass[slot] = Arrays.copyOf(keyClass, n);
            cachedBci[slot] = Arrays.copyOf(keyBci, n);
            cachedName[slot] = Arrays.copyOf(keyName, n);
            cachedTruncated[slot] = keyTruncated;
            cachedId[slot] = id;
        }
        return id;
    }

    /**
     * The key walk: from trace-core's caller outwards, each frame's class and bytecode
     * index, until {@code depth} frames a default walk would surely show have passed and
     * one more is seen, or the stack ends.
     */
    @Override
    public Object apply(Stream<StackWalker.StackFrame> s) {
        int n = 0;
        int shown = 0;
        int h = 1;
        boolean inside = true;
        boolean more = false;
        Iterator<StackWalker.StackFrame> it = s.iterator();
        while (it.hasNext()) {
            StackWalker.StackFrame f = it.next();
            Class<?> c = f.getDeclaringClass();
            int kind = FrameKind.of(c);
            if (inside) {
                if ((kind & FrameKind.INTERNAL) != 0) {
                    continue;
                }
                inside = false;
            }
            int bci = f.getByteCodeIndex(); // -1: a native method
            if (n == keyClass.length) {
                grow();
            }
            keyClass[n] = c;
            keyBci[n] = bci;
            keyName[n] = null;
            walked[n] = f;
            if (n > 0 && (bci < 0 || (kind & FrameKind.DISPATCH) != 0)) {
                h = h * 31 + name(n - 1).hashCode(); // it called the frame before it as its data says
            }
            h = (h * 31 + System.identityHashCode(c)) * 31 + bci;
            n++;
            if ((kind & FrameKind.SHOWN) != 0 && ++shown > depth) {
                more = true;
                break;
            }
        }
        if (n > 0 && keyName[n - 1] == null
                && (more || (FrameKind.of(keyClass[n - 1]) & FrameKind.ENTRY) == 0)) {
            h = h * 31 + name(n - 1).hashCode(); // nothing in the key tells what the outermost frame is
        }
        keyLength = n;
        keyTruncated = more;
        keyHash = (more ? h + 1 : h) ^ (h >>> 16);
        return null;
    }

    /** Resolves and keeps frame {@code i}'s method name (with its descriptor where that is free). */
    private String name(int i) {
        StackWalker.StackFrame f = walked[i];
        String name = CHEAP_DESCRIPTOR ? f.getMethodName() + f.getDescriptor() : f.getMethodName();
        keyName[i] = name;
        return name;
    }

    private boolean cached(int slot) {
        Class<?>[] classes = cachedClass[slot];
        int n = keyLength;
        if (classes == null || classes.length != n || cachedTruncated[slot] != keyTruncated) {
            return false;
        }
        int[] bcis = cachedBci[slot];
        String[] names = cachedName[slot];
        for (int i = 0; i < n; i++) {
            if (classes[i] != keyClass[i] || bcis[i] != keyBci[i]) {
                return false;
            }
        }
        for (int i = 0; i < n; i++) {
            String name = names[i];
            if (name == null ? keyName[i] != null : !name.equals(keyName[i])) {
                return false;
            }
        }
        return true;
    }

    /** Whether a frame of the key is a class initializer, which no caller's instruction names. */
    private boolean hasInitializer() {
        for (int i = 0; i < keyLength; i++) {
            if (walked[i].getMethodName().equals("<clinit>")) {
                return true;
            }
        }
        return false;
    }

    private void grow() {
        int room = keyClass.length * 2;
        keyClass = Arrays.copyOf(keyClass, room);
        keyBci = Arrays.copyOf(keyBci, room);
        keyName = Arrays.copyOf(keyName, room);
        walked = Arrays.copyOf(walked, room);
    }

    /** The frame walk, on a key not cached: skips trace-core's frames at the top, keeps up to {@code depth}. */
    private final class FrameWalk implements Function<Stream<StackWalker.StackFrame>, Object> {
        @Override
        public Object apply(Stream<StackWalker.StackFrame> s) {
            int n = 0;
            boolean more = false;
            boolean inside = true;
            Iterator<StackWalker.StackFrame> it = s.iterator();
            while (it.hasNext()) {
                StackWalker.StackFrame f = it.next();
                Class<?> c = f.getDeclaringClass();
                if (inside && (FrameKind.of(c) & FrameKind.INTERNAL) != 0) {
                    continue;
                }
                inside = false;
                if (n == depth) {
                    more = true;
                    break;
                }
                frames[n++] = frameId(f, c, f.getMethodName());
            }
            length = n;
            truncated = more;
            return null;
        }
    }

    /**
     * A frame's id in the table, from the frame cache where it is known by its class,
     * bytecode index and method, with the descriptor on Java 21 and older; on 22 and
     * later, where a descriptor costs more than the line, by the line instead, so that
     * two overloads are never one frame.
     */
    private int frameId(StackWalker.StackFrame f, Class<?> c, String method) {
        int bci = f.getByteCodeIndex();
        int line = 0;
        String key;
        if (CHEAP_DESCRIPTOR) {
            key = method + f.getDescriptor();
        } else {
            line = f.getLineNumber();
            key = method + ':' + line;
        }
        int i = (System.identityHashCode(c) * 31 + key.hashCode()) * 31 + bci & (FRAME_CACHE - 1);
        if (frameClass[i] == c && frameBci[i] == bci && key.equals(frameMethod[i])) {
            return frameId[i];
        }
        int id = table.frame(c.getName(), method, f.getFileName(), CHEAP_DESCRIPTOR ? f.getLineNumber() : line);
        if (id != 0) {
            frameClass[i] = c;
            frameMethod[i] = key;
            frameBci[i] = bci;
            frameId[i] = id;
        }
        return id;
    }

    private int intern() {
        int n = length;
        for (int i = 0; i < n; i++) {
            if (frames[i] == 0) {
                return 0; // a frame did not fit: the table is full
            }
        }
        return table.stack(frames, n, truncated);
    }
}
