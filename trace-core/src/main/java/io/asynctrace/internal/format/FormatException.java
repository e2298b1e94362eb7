package io.asynctrace.internal.format;

/**
 * Bytes that do not follow the format, at a position of the array being walked.
 * The reader turns it into a {@code CorruptTraceException} with the file offset;
 * the recorder, which walks only its own bytes, treats it as a bug.
 */
public final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int position;

    /**
     * @param position where in the array the problem was found
     * @param problem what is wrong
     */
    public FormatException(int position, String problem) {
        super(problem, null, false, false);
        this.position = position;
    }

    /** @return where in the array the problem was found */
    public int position() {
        return position;
    }
}
