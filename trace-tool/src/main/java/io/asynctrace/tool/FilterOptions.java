package io.asynctrace.tool;

import io.asynctrace.reader.TraceHandler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every reading command shares to narrow what it reads: {@code --where}
 * (task attributes) and {@code --from} / {@code --to} (a time window). A picocli mixin:
 *
 * <pre>{@code
 * @Mixin FilterOptions filter;
 * ...
 * TaskFilter f = filter.filter();                     // checks the values: ToolException
 * Scan scan = f.read(file, myHandler, main.progress); // two passes if --where has terms
 * // or, for a handler that tracks tasks itself: f.matches(attrs), f.overlaps(start, end)
 * }</pre>
 *
 * <p>The rules (one home: {@link TaskFilter}) are documented in {@code docs/CLI.md}
 * under "Filters".
 */
final class FilterOptions {
    @Option(names = "--where", paramLabel = "KEY[=|!=VALUE]",
            description = "only tasks whose attributes match: KEY=VALUE, KEY!=VALUE (absent or another value), "
                + "KEY (present), !KEY (absent); repeatable, all must hold")
    List<String> where = new ArrayList<>();

    @Option(names = "--from", paramLabel = "TIME",
            description = "only what overlaps the window from TIME on (ns since the trace base, or with a unit: "
                + "ns, us, ms, s, m, h, e.g. 1.5s)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "only what overlaps the window up to TIME (as --from)")
    String to;

    /**
     * @return the filter the options describe
     * @throws ToolException if a value is malformed (one line, exit code 2)
     */
    TaskFilter filter() {
        return TaskFilter.parse(where, from, to);
    }

    /**
     * Shorthand for {@code filter().read(file, handler, progress)}.
     *
     * @return the figures of the (last) pass
     */
    Scan read(Path file, TraceHandler handler, PrintWriter progress) {
        return filter().read(file, handler, progress);
    }
}
