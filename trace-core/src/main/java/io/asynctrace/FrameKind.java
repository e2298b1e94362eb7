package io.asynctrace;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.security.CodeSource;
import java.util.Objects;

/**
 * What {@link StackCapture} needs to know of a frame's class, worked out once per class:
 * bits of {@link #INTERNAL}, {@link #SHOWN}, {@link #DISPATCH} and {@link #ENTRY}.
 */
final class FrameKind {
    /** trace-core's own class: its frames at the top of a stack are left out. */
    static final int INTERNAL = 1;
    /**
     * A class whose frames a default {@link StackWalker} surely shows: not hidden, not the
     * machinery of reflection, method handles or continuations, not a class of the JDK
     * with methods marked hidden ({@code Thread}, {@code VirtualThread}, {@code ScopedValue}).
     */
    static final int SHOWN = 2;
    /** A method-handle class: what its frames call is data (a method handle's target), not an instruction. */
    static final int DISPATCH = 4;
    /** A thread's entry: its frame at the bottom of a stack is always the same method ({@code run}, a continuation's entry). */
    static final int ENTRY = 8;

    private static final CodeSource CORE = codeSource(FrameKind.class);
    private static final ClassValue<Integer> KINDS = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> c) {
            return kind(c);
        }
    };

    private FrameKind() {
    }

    static int of(Class<?> c) {
        return KINDS.get(c);
    }

    private static int kind(Class<?> c) {
        String pkg = c.getPackageName();
        int kind = 0;
        if (pkg.equals("io.asynctrace") && c.getClassLoader() == FrameKind.class.getClassLoader()
                && Objects.equals(codeSource(c), CORE)) {
            kind |= INTERNAL;
        }
        boolean machinery = pkg.equals("java.lang.invoke") || pkg.equals("jdk.internal.reflect")
                || pkg.equals("jdk.internal.vm") || c == Method.class || c == Constructor.class
                || c == Thread.class || c.getName().startsWith("java.lang.VirtualThread")
                || c.getName().startsWith("java.lang.ScopedValue");
        if (!c.isHidden() && !machinery) {
            kind |= SHOWN;
        }
        if (pkg.equals("java.lang.invoke")) {
            kind |= DISPATCH;
        }
        if (Thread.class.isAssignableFrom(c) || pkg.equals("jdk.internal.vm")) {
            kind |= ENTRY;
        }
        return kind;
    }

    private static CodeSource codeSource(Class<?> c) {
        try {
            return c.getProtectionDomain().getCodeSource();
        } catch (SecurityException e) {
            return null;
        }
    }
}
