package io.asynctrace.internal.format;

/**
 * Walks the events in a byte range with the delta state of their batch, decoding
 * each one's fields from its {@link EventTable} row: ids come out absolute, a
 * parent as the id itself (0: none), strings as positions decoded only on demand.
 * The reader walks segment bodies with it; the recorder walks its own buffers to
 * find the delta state where a flush cut them.
 *
 * <p>Every read is bounded by the range: malformed bytes throw
 * {@link FormatException} with the position, never an index error. Not
 * thread-safe; reusable through {@link #reset} and {@link #resume}.
 */
public final class EventCursor {
    private byte[] d;
    private int pos;
    private int limit;
    private int eventStart;
    private boolean inBatch;
    private int tableSize = Integer.MAX_VALUE;
    private boolean stacksAllowed = true;
    private int stackTableSize = Integer.MAX_VALUE;
    private int stack = -1;

    private long thread;
    private long time;
    private long lastId;
    private long lastTask;

    private EventSpec spec;
    private final long[] args = new long[EventTable.MAX_FIELDS];
    private final int[] stringAt = new int[EventTable.MAX_FIELDS];
    private final int[] stringLength = new int[EventTable.MAX_FIELDS];

    /**
     * Starts a walk of {@code [from, to)}, which must begin with a batch header.
     *
     * @param data the bytes
     * @param from the first byte
     * @param to the end
     * @return this
     */
    public EventCursor reset(byte[] data, int from, int to) {
        this.d = data;
        this.pos = from;
        this.limit = to;
        this.inBatch = false;
        this.thread = -1;
        this.time = 0;
        this.lastId = 0;
        this.lastTask = 0;
        return this;
    }

    /**
     * Starts a walk of {@code [from, to)} in the middle of a batch, from its delta state.
     *
     * @param data the bytes
     * @param from the first byte, an event's type byte
     * @param to the end
     * @param time the batch's time at {@code from}
     * @param lastId the batch's last span or job id at {@code from}
     * @param lastTask the batch's last task id at {@code from}
     * @return this
     */
    public EventCursor resume(byte[] data, int from, int to, long time, long lastId, long lastTask) {
        reset(data, from, to);
        this.inBatch = true;
        this.time = time;
        this.lastId = lastId;
        this.lastTask = lastTask;
        return this;
    }

    /**
     * Sets the size of the string table references are checked against (the
     * reader's segment table); unbounded by default.
     *
     * @param size the highest valid id
     */
    public void tableSize(int size) {
        this.tableSize = size;
    }

    /**
     * Sets whether events may carry stack ids (format version 2 on; a version 1 reader
     * treats the flag as corrupt) and the size of the stack table they point into;
     * allowed and unbounded by default.
     *
     * @param allowed whether the stack flag is valid
     * @param size the highest valid stack id
     */
    public void stacks(boolean allowed, int size) {
        this.stacksAllowed = allowed;
        this.stackTableSize = size;
    }

    /** @return whether bytes remain before the end of the range */
    public boolean hasMore() {
        return pos < limit;
    }

    /**
     * Decodes the next event, a batch header included.
     *
     * @return false at the end of the range
     * @throws FormatException if the bytes are not a valid event
     */
    public boolean next() throws FormatException {
        if (pos >= limit) {
            return false;
        }
        eventStart = pos;
        byte type = d[pos++];
        boolean flagged = (type & Wire.STACK_FLAG) != 0;
        EventSpec s = EventTable.spec((byte) (type & ~Wire.STACK_FLAG));
        if (s == null || (flagged && !stacksAllowed)) {
            pos = eventStart;
            throw new FormatException(pos, "unknown event type 0x" + Integer.toHexString(type & 0xFF));
        }
        if (flagged && !s.stack()) {
            pos = eventStart;
            throw new FormatException(pos, s.name() + " cannot carry a stack (type 0x"
                    + Integer.toHexString(type & 0xFF) + ")");
        }
        if (!s.batch()) {
            if (!inBatch) {
                pos = eventStart;
                throw new FormatException(pos, "event before any batch header");
            }
            time += readVar();
        }
        stack = -1;
        if (flagged) {
            long id = readVar();
            if (id > stackTableSize) {
                throw new FormatException(pos, "stack reference " + id + " not in the segment's table of "
                        + stackTableSize);
            }
            stack = (int) id;
        }
        spec = s;
        int n = s.arity();
        for (int i = 0; i < n; i++) {
            switch (s.coding(i)) {
                case VAR -> args[i] = readVar();
                case SPAN -> {
                    lastId += Codec.unzig(readVar());
                    args[i] = lastId;
                }
                case TASK -> {
                    lastTask += Codec.unzig(readVar());
                    args[i] = lastTask;
                }
                case PARENT -> {
                    long delta = Codec.unzig(readVar());
                    args[i] = delta == 0 ? 0 : args[i - 1] - delta;
                }
                case REF -> {
                    long id = readVar();
                    if (id == 0) {
                        int length = stringLength();
                        stringAt[i] = pos;
                        stringLength[i] = length;
                        pos += length;
                    } else if (id > tableSize) {
                        throw new FormatException(pos, "string reference " + id + " not in the segment's table of "
                                + tableSize);
                    }
                    args[i] = id;
                }
                case STRING -> {
                    int length = stringLength();
                    stringAt[i] = pos;
                    stringLength[i] = length;
                    pos += length;
                }
            }
        }
        if (s.batch()) {
            // BATCH and BATCH_RESUME: thread, name, time [, last span id, last task id]
            inBatch = true;
            thread = args[0];
            time = args[2];
            lastId = n > 3 ? args[3] : 0;
            lastTask = n > 4 ? args[4] : 0;
        }
        return true;
    }

    /**
     * @return the current event's stack id: 1..N into the segment's stack table, 0 for a
     *         stack that was taken but lost (the table was full), -1 when it carries none
     */
    public int stack() {
        return stack;
    }

    /** @return the current event's type byte, without the stack flag */
    public byte type() {
        return spec.code();
    }

    /** @return the current event's row */
    public EventSpec spec() {
        return spec;
    }

    /**
     * @param i a field index of the current event
     * @return its value: a number, an absolute id, or a string reference (0: inline)
     */
    public long arg(int i) {
        return args[i];
    }

    /**
     * @param i a {@code REF} or {@code STRING} field index of the current event
     * @param table the string table references point into (ids 1..N)
     * @return the string
     */
    public String string(int i, String[] table) {
        if (spec.coding(i) == EventSpec.Coding.REF && args[i] != 0) {
            return table[(int) args[i]];
        }
        return Codec.decodeString(d, stringAt[i], stringLength[i]);
    }

    /** @return the current event's time: the batch's base plus every delta since */
    public long time() {
        return time;
    }

    /** @return the thread of the current batch, or -1 before the first batch header */
    public long thread() {
        return thread;
    }

    /** @return the batch's last span or job id after the current event */
    public long lastId() {
        return lastId;
    }

    /** @return the batch's last task id after the current event */
    public long lastTask() {
        return lastTask;
    }

    /** @return where the current event starts */
    public int eventStart() {
        return eventStart;
    }

    /** @return the next byte to read */
    public int position() {
        return pos;
    }

    /**
     * Reads a varint at the current position (for the segment head and string table).
     *
     * @return its value
     * @throws FormatException if the range ends inside it or it is longer than 10 bytes
     */
    public long readVar() throws FormatException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw new FormatException(pos, "segment ends inside a number");
            }
            byte b = d[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new FormatException(pos, "number longer than 10 bytes");
    }

    /**
     * Reads a string at the current position (for the string table).
     *
     * @return it
     * @throws FormatException if it overruns the range
     */
    public String readString() throws FormatException {
        int length = stringLength();
        String s = Codec.decodeString(d, pos, length);
        pos += length;
        return s;
    }

    /**
     * Reads a string reference at the current position (for the stack table): a table id,
     * or 0 and an inline string.
     *
     * @param table the segment's string table (ids 1..N, N as set by {@link #tableSize})
     * @return the string
     * @throws FormatException if the id is not in the table or the string overruns the range
     */
    public String readRef(String[] table) throws FormatException {
        long id = readVar();
        if (id == 0) {
            return readString();
        }
        if (id > tableSize) {
            throw new FormatException(pos, "string reference " + id + " not in the segment's table of " + tableSize);
        }
        return table[(int) id];
    }

    /**
     * Reads one byte at the current position.
     *
     * @return it, unsigned
     * @throws FormatException if the range has ended
     */
    public int readByte() throws FormatException {
        if (pos >= limit) {
            throw new FormatException(pos, "segment ends inside a number");
        }
        return d[pos++] & 0xFF;
    }

    private int stringLength() throws FormatException {
        long n = readVar();
        if (n > limit - pos) {
            throw new FormatException(pos, "string of " + n + " bytes overruns its segment");
        }
        return (int) n;
    }
}
