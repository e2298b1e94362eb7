package io.asynctrace.tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * A minimal streaming JSON writer: objects, arrays, strings, numbers, booleans and null,
 * with separators managed for the caller and strings escaped per RFC 8259.
 *
 * <p>Not thread-safe. I/O errors surface as {@link UncheckedIOException}.
 *
 * <pre>{@code
 * JsonWriter json = new JsonWriter(out);
 * json.beginObject().name("events").value(42).name("truncated").value(false).endObject();
 * }</pre>
 */
final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Writer out;
    /** For each open container: whether it has no element yet. */
    private boolean[] empty = new boolean[32];
    private int depth;
    private boolean afterName;

    JsonWriter(Writer out) {
        this.out = out;
    }

    JsonWriter beginObject() {
        separate();
        write('{');
        push();
        return this;
    }

    JsonWriter endObject() {
        depth--;
        write('}');
        return this;
    }

    JsonWriter beginArray() {
        separate();
        write('[');
        push();
        return this;
    }

    JsonWriter endArray() {
        depth--;
        write(']');
        return this;
    }

    JsonWriter name(String name) {
        separate();
        string(name);
        write(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String s) {
        separate();
        if (s == null) {
            write("null");
        } else {
            string(s);
        }
        return this;
    }

    JsonWriter value(long n) {
        separate();
        write(Long.toString(n));
        return this;
    }

    JsonWriter value(boolean b) {
        separate();
        write(b ? "true" : "false");
        return this;
    }

    /** Writes a number already formatted as valid JSON (such as {@code 12.345}). */
    JsonWriter raw(String number) {
        separate();
        write(number);
        return this;
    }

    JsonWriter nullValue() {
        separate();
        write("null");
        return this;
    }

    /** Writes {@code n}, or null when {@code n} is negative (meaning "unknown"). */
    JsonWriter valueOrNull(long n) {
        return n < 0 ? nullValue() : value(n);
    }

    JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void push() {
        if (depth == empty.length) {
            empty = java.util.Arrays.copyOf(empty, depth * 2);
        }
        empty[depth++] = true;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (empty[depth - 1]) {
                empty[depth - 1] = false;
            } else {
                write(',');
            }
        }
    }

    private void string(String s) {
        try {
            out.write('"');
            int start = 0;
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x20 && c != '"' && c != '\\' && c != 0x2028 && c != 0x2029) {
                    continue;
                }
                out.write(s, start, i - start);
                start = i + 1;
                switch (c) {
                    case '"': out.write("\\\""); break;
                    case '\\': out.write("\\\\"); break;
                    case '\n': out.write("\\n"); break;
                    case '\r': out.write("\\r"); break;
                    case '\t': out.write("\\t"); break;
                    case '\b': out.write("\\b"); break;
                    case '\f': out.write("\\f"); break;
                    default:
                        out.write("\\u");
                        out.write(HEX[(c >> 12) & 0xF]);
                        out.write(HEX[(c >> 8) & 0xF]);
                        out.write(HEX[(c >> 4) & 0xF]);
                        out.write(HEX[c & 0xF]);
                }
            }
            out.write(s, start, n - start);
            out.write('"');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(char c) {
        try {
            out.write(c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String s) {
        try {
            out.write(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
