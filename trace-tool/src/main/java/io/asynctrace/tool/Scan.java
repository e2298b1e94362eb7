package io.asynctrace.tool;

import io.asynctrace.reader.CorruptTraceException;
import io.asynctrace.reader.TraceHandler;
import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceReader;
import io.asynctrace.reader.UnsupportedVersionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One streaming pass over a trace file: opens it, turns every way it can be
 * unreadable into a {@link ToolException} with one clear line, and shows a progress
 * bar on stderr for big files when stderr is a terminal.
 *
 * <p>A truncated file is not an error here: the pass delivers what was read and
 * {@link #truncated()} says so; {@link #finish} prints the warning and picks the exit code.
 */
final class Scan {
    /** Files smaller than this get no progress bar. */
    static final long PROGRESS_MIN_BYTES = 8L << 20;

    private final Path file;
    private TraceHeader header;
    private long events;
    private long dropped;
    private long segments;
    private long truncatedAt = -1;
    private boolean complete;

    private Scan(Path file) {
        this.file = file;
    }

    /**
     * Reads {@code file} through {@code handler}.
     *
     * @param file the trace
     * @param handler receives its events
     * @param progressTo where a progress bar goes, or null for none
     * @return the pass's figures
     * @throws ToolException if the file is missing or is not a readable trace
     */
    static Scan read(Path file, TraceHandler handler, PrintWriter progressTo) {
        return read(file, handler, progressTo, r -> { });
    }

    /** As above, telling {@code opened} the reader before it reads (an index records its tables). */
    static Scan read(Path file, TraceHandler handler, PrintWriter progressTo,
                     java.util.function.Consumer<TraceReader> opened) {
        Scan scan = new Scan(file);
        long size = check(file);
        Progress progress = progressTo != null && size >= PROGRESS_MIN_BYTES ? new Progress(progressTo, size) : null;
        TraceHandler h = progress == null ? handler : new ProgressHandler(handler, progress);
        try (TraceReader reader = TraceReader.open(file)) {
            opened.accept(reader);
            reader.read(h);
            scan.header = reader.header();
            scan.events = reader.events();
            scan.dropped = reader.dropped();
            scan.segments = reader.segments();
            scan.truncatedAt = reader.truncatedAt();
            scan.complete = reader.complete();
        } catch (UnsupportedVersionException e) {
            throw new ToolException(file + ": " + e.getMessage());
        } catch (CorruptTraceException e) {
            String m = e.getMessage();
            throw new ToolException(file + ": " + (m.startsWith("not an asynctrace") ? m : "corrupt trace: " + m));
        } catch (IOException e) {
            throw new ToolException(file + ": cannot read: " + e);
        } finally {
            if (progress != null) {
                progress.clear();
            }
        }
        if (scan.header == null) {
            throw new ToolException(file + ": not an asynctrace trace: the file ends inside the header ("
                    + size + " bytes)");
        }
        return scan;
    }

    /**
     * Reads only the header: a quick check that {@code file} is a trace of a version this
     * tool reads.
     *
     * @throws ToolException if it is not
     */
    static void header(Path file) {
        check(file);
        try (TraceReader reader = new TraceReader(new SegmentStream(file, new long[0][]))) {
            reader.read(new TraceHandler() { });
            if (reader.header() == null) {
                throw new ToolException(file + ": not an asynctrace trace: the file ends inside the header ("
                        + Files.size(file) + " bytes)");
            }
        } catch (UnsupportedVersionException e) {
            throw new ToolException(file + ": " + e.getMessage());
        } catch (CorruptTraceException e) {
            String m = e.getMessage();
            throw new ToolException(file + ": " + (m.startsWith("not an asynctrace") ? m : "corrupt trace: " + m));
        } catch (IOException e) {
            throw new ToolException(file + ": cannot read: " + e);
        }
    }

    /**
     * Reads some whole segments of {@code file} (from {@link TimelineIndex#segmentsMeeting}).
     * The stream does not end with the final segment, so truncation is not reported.
     *
     * @param ranges the segments' byte ranges {@code {start, end}}, in file order
     * @param tables the tables the indexing pass held after the last of them (format 3: a
     *     segment carries only the strings and stacks its file did not have yet)
     * @throws ToolException if they cannot be read
     */
    static void readSegments(Path file, long[][] ranges, TraceReader.Tables tables, TraceHandler handler) {
        try (TraceReader reader = new TraceReader(new SegmentStream(file, ranges), tables)) {
            reader.read(handler);
        } catch (CorruptTraceException e) {
            throw new ToolException(file + ": corrupt trace: " + e.getMessage());
        } catch (IOException e) {
            throw new ToolException(file + ": cannot read: " + e);
        }
    }

    /**
     * @param file a path that should be a readable trace file
     * @return its size
     * @throws ToolException if it is missing, a directory or unreadable
     */
    static long check(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new ToolException(file + ": is a directory, not a trace file");
            }
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ToolException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ToolException(file + ": permission denied");
        } catch (IOException e) {
            throw new ToolException(file + ": cannot read: " + e);
        }
    }

    /**
     * Prints the truncation warning if needed.
     *
     * @param err where the warning goes
     * @return the exit code: 0, or {@link ToolException#BAD_INPUT} for a truncated file
     */
    int finish(PrintWriter err) {
        if (truncated()) {
            err.println("asynctrace: warning: " + file + " is truncated at byte offset " + truncatedAt
                    + " (the recording did not stop cleanly); results cover the part before it");
            return ToolException.BAD_INPUT;
        }
        return 0;
    }

    TraceHeader header() {
        return header;
    }

    long events() {
        return events;
    }

    long dropped() {
        return dropped;
    }

    long segments() {
        return segments;
    }

    boolean truncated() {
        return truncatedAt >= 0;
    }

    long truncatedAt() {
        return truncatedAt;
    }

    boolean complete() {
        return complete;
    }

    /** A one-line bar redrawn with carriage returns, at most ten times a second. */
    static final class Progress {
        private final PrintWriter out;
        private final long size;
        private long lastDraw;
        private boolean drawn;

        Progress(PrintWriter out, long size) {
            this.out = out;
            this.size = size;
        }

        void update(long offset) {
            long now = System.nanoTime();
            if (drawn && now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            drawn = true;
            int width = 40;
            int filled = (int) Math.min(width, offset * width / Math.max(1, size));
            out.print("\r[" + "=".repeat(filled) + " ".repeat(width - filled) + "] "
                    + (offset * 100 / Math.max(1, size)) + "% " + (offset >> 20) + "/" + (size >> 20) + " MiB");
            out.flush();
        }

        void clear() {
            if (drawn) {
                out.print("\r" + " ".repeat(70) + "\r");
                out.flush();
            }
        }
    }
}
