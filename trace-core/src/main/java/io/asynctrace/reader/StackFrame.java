package io.asynctrace.reader;

import java.util.Objects;

/**
 * One frame of a {@link CallStack}: a method and the line it was at.
 *
 * @param className the declaring class's binary name ({@code com.example.Shop$Barista})
 * @param method the method name ({@code <init>} for constructors)
 * @param file the source file name, or {@code ""} when unknown (JDK Flight Recorder's frames have none)
 * @param line the line number, or 0 when unknown (native methods, classes without line tables)
 */
public record StackFrame(String className, String method, String file, int line) {
    /**
     * @throws NullPointerException if a string is null
     */
    public StackFrame {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(file, "file");
        line = Math.max(0, line);
    }

    /** @return {@code className.method}, as pprof and the tool name a function */
    public String function() {
        return className + "." + method;
    }

    /** @return the frame as a Java stack trace prints it: {@code com.example.Shop.brew(Shop.java:42)} */
    @Override
    public String toString() {
        String where = file.isEmpty() ? (line > 0 ? "line " + line : "unknown source")
                : line > 0 ? file + ":" + line : file;
        return function() + "(" + where + ")";
    }
}
