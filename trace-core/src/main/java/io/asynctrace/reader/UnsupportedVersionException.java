package io.asynctrace.reader;

/** Thrown when a trace was written in a format version this reader does not know. */
public final class UnsupportedVersionException extends CorruptTraceException {
    private static final long serialVersionUID = 1L;

    private final int version;

    /**
     * @param version the version found in the header
     * @param supported the version this reader reads
     */
    public UnsupportedVersionException(int version, int supported) {
        super(8, "trace format version " + version + " is not supported (this reader reads version " + supported + ")");
        this.version = version;
    }

    /** @return the version found in the file header */
    public int version() {
        return version;
    }
}
