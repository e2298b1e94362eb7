package io.asynctrace.internal.format;

/**
 * Constants of trace format version 3 (versions 1, without stacks, and 2, with every
 * table repeated in every segment, are still read): the file header, segment framing,
 * event type bytes, limits and the codes events carry. Not API: the layout is specified in
 * {@code docs/FORMAT.md}; each event's fields are in {@link EventTable}.
 */
public final class Wire {
    private Wire() {
    }

    /** The eight magic bytes that open every trace file. */
    public static final byte[] MAGIC = {(byte) 0x89, 'A', 'T', 'R', 'C', '\r', '\n', 0x1A};
    /** The format version this build writes. */
    public static final int VERSION = 3;
    /** The oldest version this build reads: version 1 is version 2 without stack tables and stack ids. */
    public static final int OLDEST_VERSION = 1;
    /** The first version whose segments carry a stack table and whose events may carry a stack id. */
    public static final int STACKS_VERSION = 2;
    /**
     * The first version whose segments carry only the table entries their file does not
     * have yet (each table entry once per file, with its first id), not whole tables.
     */
    public static final int TABLES_ONCE_VERSION = 3;
    /** Bytes in the file header: magic, u16 version, u16 flags, i64 wall nanos, i64 monotonic nanos. */
    public static final int HEADER_SIZE = 28;
    /** The tag byte that opens every segment. */
    public static final byte SEGMENT_TAG = 'S';
    /** Bytes before a segment body: tag, u32 length, u32 CRC32C. */
    public static final int SEGMENT_PREFIX = 9;
    /** The largest segment body a reader accepts; larger length fields are corrupt input. */
    public static final int MAX_SEGMENT = 64 << 20;
    /** Segment flag: the last segment of a trace that was stopped cleanly. */
    public static final int FLAG_FINAL = 1;
    /** Segment flag: the recording ended because the output failed. */
    public static final int FLAG_FAILED = 2;

    // Event type bytes. Each event except BATCH starts with a varint time delta.
    public static final byte BATCH = 0x01;
    public static final byte TASK_BEGIN = 0x02;
    public static final byte TASK_BEGIN_EARLIER = 0x03;
    public static final byte TASK_END = 0x04;
    public static final byte SPAN_BEGIN = 0x05;
    public static final byte SPAN_END = 0x06;
    public static final byte LOG = 0x07;
    public static final byte LOG_CUT = 0x08;
    public static final byte TASK_ATTR = 0x09;
    public static final byte SPAN_ATTR = 0x0A;
    public static final byte MISUSE = 0x0B;
    public static final byte JOB_QUEUED = 0x0C;
    public static final byte JOB_START = 0x0D;
    public static final byte JOB_END = 0x0E;
    /** A batch that continues another: BATCH's fields plus the id deltas' starting points. */
    public static final byte BATCH_RESUME = 0x0F;
    /** A JVM runtime event (GC pause, park, socket read, ...) from JDK Flight Recorder. */
    public static final byte RUNTIME = 0x10;

    /**
     * Set in an event's type byte (version 2 on) when the event carries a stack: a varint
     * stack id (1..N into the segment's stack table; 0: a stack was taken but did not fit
     * the table) follows its time delta. Only kinds whose {@link EventSpec#stack()} is set
     * may carry one.
     */
    public static final int STACK_FLAG = 0x80;
    /** Frame ids of a stack table are 1 .. MAX_FRAMES - 1. */
    public static final int MAX_FRAMES = 1 << 16;
    /** Stack ids of a stack table are 1 .. MAX_STACKS - 1. */
    public static final int MAX_STACKS = 1 << 16;
    /** The most frames one stack of the table has. */
    public static final int MAX_STACK_DEPTH = 4096;
    /** The most bytes a recording's encoded stack table (frames and stacks) takes in a segment. */
    public static final int MAX_STACK_TABLE_BYTES = 4 << 20;

    /** Largest string table a recording keeps; further strings are written inline (reference 0). */
    public static final int MAX_STRINGS = 1 << 16;
    /**
     * The most bytes of encoded strings one table epoch (a file, version 3 on) holds: the
     * highest {@code TraceOptions.withMaxStringTableBytes} budget; a reader refuses more.
     */
    public static final int MAX_STRING_TABLE_BYTES = 16 << 20;
    /** Log messages longer than this many chars are cut (and the cut recorded). */
    public static final int MAX_MESSAGE_CHARS = 4096;
    /** Names, keys and attribute values longer than this many chars are cut. */
    public static final int MAX_NAME_CHARS = 1024;

    // Misuse kinds carried by MISUSE events.
    /** A span's end() was called more than once. */
    public static final int MISUSE_SPAN_ENDED_TWICE = 1;
    /** A span was ended on its own thread while a span begun after it there was still open. */
    public static final int MISUSE_SPAN_MISNESTED = 2;
    /** A task scope was closed on another thread, twice, or while a later scope was still open. */
    public static final int MISUSE_SCOPE_MISNESTED = 3;

    // Runtime kinds carried by RUNTIME events (io.asynctrace.reader.RuntimeKind names them).
    /** A stop-the-world GC pause. */
    public static final int RUNTIME_GC_PAUSE = 1;
    /** Heap used after a GC. */
    public static final int RUNTIME_HEAP_AFTER_GC = 2;
    /** A thread parked longer than the threshold. */
    public static final int RUNTIME_THREAD_PARK = 3;
    /** A thread waited to enter a monitor longer than the threshold. */
    public static final int RUNTIME_MONITOR_ENTER = 4;
    /** A socket read longer than the threshold. */
    public static final int RUNTIME_SOCKET_READ = 5;
    /** A socket write longer than the threshold. */
    public static final int RUNTIME_SOCKET_WRITE = 6;
    /** Thread.sleep longer than the threshold. */
    public static final int RUNTIME_THREAD_SLEEP = 7;
    /** A virtual thread pinned to its carrier. */
    public static final int RUNTIME_VIRTUAL_THREAD_PINNED = 8;
    /** A thread started. */
    public static final int RUNTIME_THREAD_START = 9;
    /** A thread ended. */
    public static final int RUNTIME_THREAD_END = 10;
    /** Runtime events were lost. */
    public static final int RUNTIME_DATA_LOSS = 11;
    /** Runtime events cannot be recorded. */
    public static final int RUNTIME_UNAVAILABLE = 12;
}
