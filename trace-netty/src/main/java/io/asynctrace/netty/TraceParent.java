package io.asynctrace.netty;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context {@code traceparent} header values: parsing (version 00 and the
 * forward-compatible rules for later versions) and making new ids.
 *
 * <pre>
 * traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
 *              ver trace-id (32 hex)                 parent-id (16)   flags
 * </pre>
 */
final class TraceParent {
    /** The header name, lower case as the spec writes it. */
    static final String HEADER = "traceparent";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    final String traceId;
    final String parentId;
    final String flags;

    private TraceParent(String traceId, String parentId, String flags) {
        this.traceId = traceId;
        this.parentId = parentId;
        this.flags = flags;
    }

    /**
     * @param value a header value, or null
     * @return the parsed value, or null if absent or invalid (the spec says to ignore an invalid one)
     */
    static TraceParent parse(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        // version 00 is exactly 55 chars; later versions may append "-..." fields.
        if (v.length() < 55 || (v.length() > 55 && v.charAt(55) != '-')) {
            return null;
        }
        if (v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-') {
            return null;
        }
        String version = v.substring(0, 2);
        if (!isLowerHex(version) || version.equals("ff") || (version.equals("00") && v.length() != 55)) {
            return null;
        }
        String traceId = v.substring(3, 35);
        String parentId = v.substring(36, 52);
        String flags = v.substring(53, 55);
        if (!isLowerHex(traceId) || !isLowerHex(parentId) || !isLowerHex(flags)
                || isZero(traceId) || isZero(parentId)) {
            return null;
        }
        return new TraceParent(traceId, parentId, flags);
    }

    /** @return {@code 00-traceId-spanId-01} */
    static String format(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    /** @return a random, non-zero 32-hex-digit trace id */
    static String newTraceId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        if (hi == 0 && lo == 0) {
            lo = 1;
        }
        return hex(hi) + hex(lo);
    }

    /** @return a random, non-zero 16-hex-digit span (parent) id */
    static String newSpanId() {
        long id = ThreadLocalRandom.current().nextLong();
        return hex(id == 0 ? 1 : id);
    }

    private static String hex(long v) {
        char[] c = new char[16];
        for (int i = 15; i >= 0; i--) {
            c[i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
        return new String(c);
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
