package io.asynctrace.reader;

import java.io.IOException;

/**
 * Thrown by {@link TraceReader} when its input is not a readable asynctrace trace:
 * wrong magic, an unsupported version, a failed checksum, or bytes that do not
 * decode. The message names the byte offset where reading failed; a file that
 * merely ends early is not corrupt (see {@link TraceReader#truncated()}).
 */
public class CorruptTraceException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    /**
     * @param offset byte offset in the file where the problem was found
     * @param problem what is wrong, without the offset
     */
    public CorruptTraceException(long offset, String problem) {
        super(problem + " at byte offset " + offset);
        this.offset = offset;
    }

    /** @return the byte offset in the file where reading failed */
    public long offset() {
        return offset;
    }
}
