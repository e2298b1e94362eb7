package io.asynctrace.jmh;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.openjdk.jmh.profile.ProfilerException;

/**
 * The options of {@link TraceProfiler}, parsed from JMH's init line
 * ({@code -prof "io.asynctrace.jmh.TraceProfiler:dir=traces;runtime=false"}): {@code key=value}
 * pairs separated by {@code ;}. Every error names the option and what it accepts.
 */
final class ProfilerOptions {
    static final String DEFAULT_DIR = "target/asynctrace";
    /** The most a flight recorder keeps, whatever {@code flight} says: the recording's memory bound. */
    static final long FLIGHT_MAX_BYTES = 256L << 20;
    static final String ACCEPTED = "dir=DIRECTORY (default " + DEFAULT_DIR + "), runtime=true|false (default true), "
            + "warmup=true|false (default false), flight=SECONDS (1 to 86400; default: write the whole run)";

    final Path dir;
    final boolean runtime;
    final boolean warmup;
    /** How far back the flight recorder keeps, or null to write the whole recording as it happens. */
    final Duration flight;

    private ProfilerOptions(Path dir, boolean runtime, boolean warmup, Duration flight) {
        this.dir = dir;
        this.runtime = runtime;
        this.warmup = warmup;
        this.flight = flight;
    }

    /**
     * @param initLine what follows {@code TraceProfiler:} on JMH's command line; null or empty for the defaults
     * @throws ProfilerException naming the bad option and what is accepted
     */
    static ProfilerOptions parse(String initLine) throws ProfilerException {
        Path dir = Path.of(DEFAULT_DIR);
        boolean runtime = true;
        boolean warmup = false;
        Duration flight = null;
        Set<String> seen = new HashSet<>();
        for (String item : initLine == null ? new String[0] : initLine.split(";")) {
            String pair = item.strip();
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = (eq < 0 ? pair : pair.substring(0, eq)).strip();
            String value = eq < 0 ? null : pair.substring(eq + 1).strip();
            if (key.equals("help")) {
                throw new ProfilerException("TraceProfiler options: " + ACCEPTED);
            }
            if (!key.equals("dir") && !key.equals("runtime") && !key.equals("warmup") && !key.equals("flight")) {
                throw new ProfilerException("TraceProfiler: unknown option '" + key + "'; accepted: " + ACCEPTED);
            }
            if (!seen.add(key)) {
                throw new ProfilerException("TraceProfiler: option '" + key + "' given twice");
            }
            if (value == null || value.isEmpty()) {
                throw new ProfilerException("TraceProfiler: option '" + key + "' needs a value: " + usage(key));
            }
            switch (key) {
                case "dir" -> dir = directory(value);
                case "runtime" -> runtime = bool(key, value);
                case "warmup" -> warmup = bool(key, value);
                default -> flight = seconds(value);
            }
        }
        return new ProfilerOptions(dir, runtime, warmup, flight);
    }

    private static String usage(String key) {
        return switch (key) {
            case "dir" -> "dir=DIRECTORY";
            case "flight" -> "flight=SECONDS, a whole number from 1 to 86400";
            default -> key + "=true or " + key + "=false";
        };
    }

    private static Path directory(String value) throws ProfilerException {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ProfilerException("TraceProfiler: option 'dir' is not a valid path: '" + value + "' ("
                    + e.getReason() + ")");
        }
    }

    private static boolean bool(String key, String value) throws ProfilerException {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ProfilerException("TraceProfiler: option '" + key + "' must be true or false, was '" + value + "'");
    }

    private static Duration seconds(String value) throws ProfilerException {
        long seconds;
        try {
            seconds = Long.parseLong(value);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > 86_400) {
            throw new ProfilerException("TraceProfiler: option 'flight' must be a whole number of seconds from 1 to "
                    + "86400, was '" + value + "'");
        }
        return Duration.ofSeconds(seconds);
    }

    @Override
    public String toString() {
        return "dir=" + dir + ";runtime=" + runtime + ";warmup=" + warmup
                + (flight == null ? "" : ";flight=" + flight.toSeconds());
    }
}
