package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which tasks and which part of the trace a command looks at: {@code --where} terms on
 * a task's attributes, all of which must hold, and a time window {@code [from, to]}.
 * The one home of the filter's rules, which {@code docs/CLI.md} documents:
 *
 * <ul>
 *   <li>{@code KEY=VALUE}: the task has the attribute with that value (the value
 *       recorded last wins); {@code KEY!=VALUE}: it does not have that value (absent or
 *       another value); {@code KEY}: it has the attribute, with any value; {@code !KEY}: it
 *       does not have it.</li>
 *   <li>A task's attributes are its own ({@code Task.attr}), not its spans' or its
 *       parent's; they are those {@link TaskTracker} has read when it decides about the
 *       task (see there).</li>
 *   <li>An interval (task, span, job, runtime event with a duration) is in the window
 *       when it overlaps it, a task that never ended counting to the trace's last event;
 *       a point event (log, attribute, instant) when its time is in it. Both bounds are
 *       inclusive.</li>
 * </ul>
 * Immutable.
 */
final class TaskFilter {
    /** Matches everything. */
    static final TaskFilter NONE = new TaskFilter(List.of(), Long.MIN_VALUE, Long.MAX_VALUE);

    private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)\\s*(ns|us|µs|ms|s|m|min|h)?");

    /** One {@code --where} term. */
    record Term(String key, String value, boolean negated) {
        boolean test(Attributes attrs) {
            String v = attrs == null ? null : attrs.get(key);
            if (value == null) {
                return negated == (v == null);
            }
            return negated != value.equals(v);
        }

        @Override
        public String toString() {
            return value == null ? (negated ? "!" : "") + key : key + (negated ? "!=" : "=") + value;
        }
    }

    private final List<Term> terms;
    private final long from;
    private final long to;

    private TaskFilter(List<Term> terms, long from, long to) {
        this.terms = List.copyOf(terms);
        this.from = from;
        this.to = to;
    }

    /**
     * @param where the {@code --where} values
     * @param from the {@code --from} value, or null
     * @param to the {@code --to} value, or null
     * @return the filter
     * @throws ToolException if a value is malformed
     */
    static TaskFilter parse(List<String> where, String from, String to) {
        List<Term> terms = new ArrayList<>();
        for (String w : where == null ? List.<String>of() : where) {
            terms.add(term(w));
        }
        long f = from == null ? Long.MIN_VALUE : time("--from", from);
        long t = to == null ? Long.MAX_VALUE : time("--to", to);
        if (f > t) {
            throw new ToolException("--from " + from + " is after --to " + to);
        }
        return new TaskFilter(terms, f, t);
    }

    private static Term term(String w) {
        int eq = w.indexOf('=');
        if (eq < 0) {
            boolean absent = w.startsWith("!");
            String key = absent ? w.substring(1) : w;
            if (key.isEmpty()) {
                throw new ToolException("--where needs KEY, !KEY, KEY=VALUE or KEY!=VALUE, was " + (w.isEmpty() ? "empty" : w));
            }
            return new Term(key, null, absent);
        }
        boolean negated = eq > 0 && w.charAt(eq - 1) == '!';
        String key = w.substring(0, negated ? eq - 1 : eq);
        if (key.isEmpty()) {
            throw new ToolException("--where " + w + ": the attribute key is empty (KEY=VALUE, KEY!=VALUE or KEY)");
        }
        return new Term(key, w.substring(eq + 1), negated);
    }

    /**
     * @param option the option's name, for the error message
     * @param text nanoseconds, or a number with a unit (ns, us, µs, ms, s, m or min, h)
     * @return nanoseconds since the trace base
     * @throws ToolException if {@code text} is not such a time
     */
    static long time(String option, String text) {
        Matcher m = TIME.matcher(text.strip());
        if (!m.matches()) {
            throw new ToolException(option + " " + text + ": not a time (nanoseconds, or a number with a unit: "
                    + "ns, us, ms, s, m, h, e.g. 1.5s)");
        }
        String unit = m.group(2) == null ? "ns" : m.group(2);
        long scale;
        switch (unit) {
            case "ns": scale = 1; break;
            case "us": case "µs": scale = 1_000; break;
            case "ms": scale = 1_000_000; break;
            case "s": scale = 1_000_000_000L; break;
            case "m": case "min": scale = 60_000_000_000L; break;
            default: scale = 3_600_000_000_000L; break;
        }
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(scale)).setScale(0, java.math.RoundingMode.HALF_UP)
                    .longValueExact();
        } catch (ArithmeticException e) {
            throw new ToolException(option + " " + text + ": too large");
        }
    }

    /**
     * @param by nanoseconds to add to the window's bounds (saturating; an open bound stays open)
     * @return this filter with its window moved: {@code merge} applies the merged trace's
     *     window to each input, whose times it shifts
     */
    TaskFilter shifted(long by) {
        if (!hasWindow() || by == 0) {
            return this;
        }
        return new TaskFilter(terms, from == Long.MIN_VALUE ? from : saturatedAdd(from, by),
                to == Long.MAX_VALUE ? to : saturatedAdd(to, by));
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    /** @return this filter's attribute terms without its window */
    TaskFilter termsOnly() {
        return hasWindow() ? new TaskFilter(terms, Long.MIN_VALUE, Long.MAX_VALUE) : this;
    }

    /** @return whether there are attribute terms (which need the tasks' attributes: a pass of their own) */
    boolean hasTerms() {
        return !terms.isEmpty();
    }

    /** @return whether a window narrower than the whole trace was given */
    boolean hasWindow() {
        return from != Long.MIN_VALUE || to != Long.MAX_VALUE;
    }

    /** @return whether this filter keeps everything */
    boolean isNone() {
        return !hasTerms() && !hasWindow();
    }

    long from() {
        return from;
    }

    long to() {
        return to;
    }

    /** @return whether a task with these attributes (null: none) passes every term */
    boolean matches(Attributes attrs) {
        for (Term t : terms) {
            if (!t.test(attrs)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the interval {@code [start, end]} overlaps the window */
    boolean overlaps(long start, long end) {
        return end >= from && start <= to;
    }

    /** @return whether {@code time} is in the window */
    boolean contains(long time) {
        return time >= from && time <= to;
    }

    /** @return whether a task with these attributes and this lifetime passes the filter */
    boolean accepts(Attributes attrs, long start, long end) {
        return overlaps(start, end) && matches(attrs);
    }

    /**
     * Reads {@code file} through {@code handler}, which sees only what passes (see
     * {@link FilteredHandler}). With attribute terms this is two passes: the first finds
     * the matching tasks ({@link MatchingTasks}).
     *
     * @param file the trace
     * @param handler the handler to feed
     * @param progress where a progress bar goes, or null
     * @return the figures of the (last) pass
     * @throws ToolException as {@link Scan#read}
     */
    Scan read(Path file, TraceHandler handler, PrintWriter progress) {
        return read(file, handler, progress, java.util.function.UnaryOperator.identity());
    }

    /**
     * As {@link #read(Path, TraceHandler, PrintWriter)}, each pass's handler passed through
     * {@code around} (the view stops an abandoned pass at a segment boundary).
     */
    Scan read(Path file, TraceHandler handler, PrintWriter progress, java.util.function.UnaryOperator<TraceHandler> around) {
        if (isNone()) {
            return Scan.read(file, around.apply(handler), progress);
        }
        MatchingTasks matching = hasTerms() ? MatchingTasks.find(file, this, progress, around) : null;
        FilteredHandler filtered = new FilteredHandler(handler, this, matching);
        Scan scan = Scan.read(file, around.apply(filtered), progress);
        filtered.finish();
        return scan;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Term t : terms) {
            b.append(b.length() == 0 ? "" : " ").append("--where ").append(t);
        }
        if (from != Long.MIN_VALUE) {
            b.append(b.length() == 0 ? "" : " ").append("--from ").append(from).append("ns");
        }
        if (to != Long.MAX_VALUE) {
            b.append(b.length() == 0 ? "" : " ").append("--to ").append(to).append("ns");
        }
        return b.toString();
    }
}
