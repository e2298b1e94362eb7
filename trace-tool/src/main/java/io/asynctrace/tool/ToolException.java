package io.asynctrace.tool;

/**
 * A failure to report to the user as one line on stderr, with an exit code, never as
 * a stack trace: a missing file, input that is not a trace, a bad option value.
 */
final class ToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code for input the tool cannot read (missing, not a trace, truncated). */
    static final int BAD_INPUT = 2;

    private final int exitCode;

    ToolException(String message) {
        this(message, BAD_INPUT);
    }

    ToolException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
