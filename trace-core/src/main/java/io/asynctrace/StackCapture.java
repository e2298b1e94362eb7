package io.asynctrace;

import java.security.CodeSource;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Takes the calling thread's stack for asynctrace's own events (task begin, span
 * begin, log, job queued) in recordings made with {@link TraceOptions#withStackDepth}:
 * one {@link StackWalker} walk bounded to the depth, the frames of trace-core itself
 * left out, so a stack starts at the caller of the API.
 *
 * <p>Cheap where call sites repeat: a frame is known by its class, method name and
 * bytecode index, and a small per-thread cache maps those to the frame's id in the
 * {@link StackTable}, so its line number and source file are looked up (the costly
 * part of a walk) once per call site and thread; a second cache maps the frame ids of
 * a whole stack to its stack id, so a repeated stack costs one walk and no locking or
 * allocation of table entries.
 *
 * <p>Confined to its thread (one per {@link ThreadState}, bound to one recording). It
 * holds that recording's ids but not its table, which each capture is given: an idle
 * thread must not keep a stopped recording alive.
 */
final class StackCapture implements Function<Stream<StackWalker.StackFrame>, Integer> {
    private static final int FRAME_CACHE = 512; // power of two
    private static final int STACK_CACHE = 64; // power of two
    private static final CodeSource CORE = codeSource(StackCapture.class);
    /** Whether a class is trace-core's own: its frames are not part of a captured stack. */
    private static final ClassValue<Boolean> INTERNAL = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            return c.getPackageName().equals("io.asynctrace") && c.getClassLoader() == StackCapture.class.getClassLoader()
                    && Objects.equals(codeSource(c), CORE);
        }
    };

    /** The table of the capture under way, only during it. */
    private StackTable table;
    private final StackWalker walker;
    private final int depth;

    // Filled by the walk: per frame its id, and the stack's truncation.
    private final int[] frames;
    private int length;
    private boolean truncated;

    // Frame cache: class, method name and bytecode index to frame id.
    private final Class<?>[] cacheClass = new Class<?>[FRAME_CACHE];
    private final String[] cacheMethod = new String[FRAME_CACHE];
    private final int[] cacheBci = new int[FRAME_CACHE];
    private final int[] cacheId = new int[FRAME_CACHE];

    // Stack cache: frame ids to stack id.
    private final int[][] stackKeys = new int[STACK_CACHE][];
    private final boolean[] stackTruncated = new boolean[STACK_CACHE];
    private final int[] stackIds = new int[STACK_CACHE];

    StackCapture(int depth) {
        this.depth = depth;
        this.frames = new int[depth];
        this.walker = StackWalker.getInstance(EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE), depth + 8);
    }

    /**
     * Takes the calling thread's stack.
     *
     * @param into the bound recording's stack table
     * @return its id in the table, or 0 if the table is full (the stack is lost and the event says so)
     */
    int capture(StackTable into) {
        table = into;
        try {
            walker.walk(this);
            return intern();
        } finally {
            table = null;
        }
    }

    /** The walk: skips trace-core's frames at the top, keeps up to {@code depth} frames. */
    @Override
    public Integer apply(Stream<StackWalker.StackFrame> s) {
        int n = 0;
        boolean more = false;
        boolean inside = true;
        Iterator<StackWalker.StackFrame> it = s.iterator();
        while (it.hasNext()) {
            StackWalker.StackFrame f = it.next();
            Class<?> c = f.getDeclaringClass();
            if (inside && INTERNAL.get(c)) {
                continue;
            }
            inside = false;
            if (n == depth) {
                more = true;
                break;
            }
            frames[n++] = frameId(f, c);
        }
        length = n;
        truncated = more;
        return n;
    }

    private int frameId(StackWalker.StackFrame f, Class<?> c) {
        String method = f.getMethodName();
        int bci = f.getByteCodeIndex();
        int i = (System.identityHashCode(c) * 31 + method.hashCode()) * 31 + bci & (FRAME_CACHE - 1);
        if (cacheClass[i] == c && cacheBci[i] == bci && method.equals(cacheMethod[i])) {
            return cacheId[i];
        }
        int id = table.frame(c.getName(), method, f.getFileName(), f.getLineNumber());
        if (id != 0) {
            cacheClass[i] = c;
            cacheMethod[i] = method;
            cacheBci[i] = bci;
            cacheId[i] = id;
        }
        return id;
    }

    private int intern() {
        int n = length;
        int h = truncated ? 1 : 0;
        for (int i = 0; i < n; i++) {
            if (frames[i] == 0) {
                return 0; // a frame did not fit: the table is full
            }
            h = h * 31 + frames[i];
        }
        int slot = (h ^ (h >>> 16)) & (STACK_CACHE - 1);
        int[] key = stackKeys[slot];
        if (key != null && key.length == n && stackTruncated[slot] == truncated
                && java.util.Arrays.equals(key, 0, n, frames, 0, n)) {
            return stackIds[slot];
        }
        int id = table.stack(frames, n, truncated);
        if (id != 0) {
            stackKeys[slot] = java.util.Arrays.copyOf(frames, n);
            stackTruncated[slot] = truncated;
            stackIds[slot] = id;
        }
        return id;
    }

    private static CodeSource codeSource(Class<?> c) {
        try {
            return c.getProtectionDomain().getCodeSource();
        } catch (SecurityException e) {
            return null;
        }
    }
}
