package io.asynctrace.jmh;

import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The names of the trace files: {@code <benchmark>[-<param>=<value>...][-<mode>]-fork<N>.trace}.
 * The benchmark is the method's full name as JMH reports it, the parameters in JMH's
 * order. Characters other than letters, digits and {@code . _ , + = @ % -} become
 * {@code _}, so a parameter value cannot leave the directory. The mode is added only
 * when one run measures the same benchmark and parameters in several modes, for the
 * modes after the first, so that no file replaces another.
 */
final class TraceFiles {
    static final String SUFFIX = ".trace";
    /** Mode of the first benchmark given each name in this (host) JVM; guarded by the class. */
    private static final Map<String, String> MODES = new HashMap<>();

    private TraceFiles() {
    }

    /**
     * @param params the benchmark
     * @param fork {@code fork<N>} (or {@code warmupfork<N>}, {@code fork0} when not forked)
     * @return the file name without directory
     */
    static String name(BenchmarkParams params, String fork) {
        StringBuilder name = new StringBuilder(safe(params.getBenchmark()));
        for (String key : params.getParamsKeys()) {
            name.append('-').append(safe(key)).append('=').append(safe(params.getParam(key)));
        }
        String base = name.toString();
        String mode = params.getMode().shortLabel();
        synchronized (TraceFiles.class) {
            String first = MODES.putIfAbsent(base, mode);
            if (first != null && !first.equals(mode)) {
                name.append('-').append(safe(mode));
            }
        }
        return name.append('-').append(fork).append(SUFFIX).toString();
    }

    static String safe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || ".,_+=@%-".indexOf(c) >= 0;
            b.append(ok ? c : '_');
        }
        return b.toString();
    }
}
