package io.asynctrace.tool;

import io.asynctrace.reader.TraceHeader;
import io.asynctrace.reader.TraceWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code merge A B [C ...] -o OUT}: one trace from the traces of several processes,
 * on one clock, with their ids kept apart and their traceparent links turned into
 * one task tree. See {@code docs/CLI.md}.
 *
 * <p>Three streaming passes per input: {@link MergeLinks} (link attributes, largest
 * id), then link times, then {@link MergeRewriter} into one {@link TraceWriter}, through
 * the {@code --from}/{@code --to} window ({@link FilteredHandler}) when one is given.
 * The output is written to a temporary file beside {@code OUT} and moved into place
 * at the end, so a failed merge leaves no partial file.
 */
@Command(name = "merge", description = "Merge traces of several processes into one: one clock (wall-clock bases, "
        + "corrected by traceparent links), ids remapped so they cannot clash, thread names labelled, "
        + "remote request tasks made children of the calling tasks.")
final class MergeCommand implements Callable<Integer> {
    /** Input {@code i}'s ids are offset by {@code i} times this (or the next power of ten above every id). */
    static final long ID_STRIDE = 1_000_000_000_000L;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "2..*", description = "the traces to merge (at least two)")
    List<Path> files;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "the merged trace")
    Path output;

    @Option(names = "--labels", split = ",", paramLabel = "LABEL",
            description = "thread-name prefixes, one per input in order (default: the file names without .trace)")
    List<String> labels;

    @Option(names = "--from", paramLabel = "TIME",
            description = "keep only what overlaps the window from TIME on, in the merged trace's time (ns since its "
                + "base, or with a unit: ns, us, ms, s, m, h, e.g. 1.5s)")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "keep only what overlaps the window up to TIME (as --from)")
    String to;

    @Override
    public Integer call() {
        TaskFilter window = TaskFilter.parse(List.of(), from, to);
        List<MergeInput> inputs = checkInputs();
        PrintWriter err = spec.commandLine().getErr();

        for (MergeInput in : inputs) {
            in.header = Scan.read(in.file, MergeLinks.keys(in), main.progress).header();
        }
        long stride = idStride(inputs);
        MergeLinks links = new MergeLinks();
        links.join(inputs);
        for (MergeInput in : inputs) {
            var times = MergeLinks.times(in);
            if (times != null) {
                Scan.read(in.file, times, main.progress);
            }
        }
        List<String> warnings = new ArrayList<>();
        TraceHeader header = ClockAlignment.align(inputs, links.links(), warnings);

        List<Scan> scans = new ArrayList<>();
        long reparented = 0;
        long notReparented = 0;
        Path dir = output.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + output.getFileName(), ".part");
            try (TraceWriter writer = new TraceWriter(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                writer.onHeader(header);
                for (MergeInput in : inputs) {
                    MergeRewriter rewriter = new MergeRewriter(in, writer);
                    // The window is in the merged trace's time; the input's times are shifted into it.
                    scans.add(window.shifted(-in.shift).read(in.file, rewriter, main.progress));
                    reparented += rewriter.reparented;
                    notReparented += rewriter.notReparented;
                }
            }
            try {
                Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ToolException("cannot write " + output + ": " + e, 1);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the output
                }
            }
        }

        PrintWriter out = spec.commandLine().getOut();
        report(out, inputs, scans, header, stride, links, reparented, notReparented);
        out.flush();
        for (String w : warnings) {
            err.println("asynctrace: warning: " + w);
        }
        int code = 0;
        for (Scan s : scans) {
            code = Math.max(code, s.finish(err));
        }
        return code;
    }

    /** Checks the files and the output before reading anything; picks the labels. */
    private List<MergeInput> checkInputs() {
        for (Path f : files) {
            Scan.check(f);
        }
        for (int i = 0; i < files.size(); i++) {
            for (int j = i + 1; j < files.size(); j++) {
                if (sameFile(files.get(i), files.get(j))) {
                    throw new ToolException(files.get(j) + ": the same file as " + files.get(i)
                            + " (give each trace once)");
                }
            }
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new ToolException(parent + ": no such directory");
        }
        if (Files.isDirectory(output)) {
            throw new ToolException(output + ": is a directory");
        }
        for (Path f : files) {
            if (Files.exists(output) && sameFile(output, f)) {
                throw new ToolException(output + ": the output is also an input (choose another -o)");
            }
        }
        List<String> names = labels != null ? labels : defaultLabels(files);
        if (names.size() != files.size()) {
            throw new ToolException("--labels has " + names.size() + " labels for " + files.size() + " inputs");
        }
        if (names.stream().anyMatch(String::isBlank) || new HashSet<>(names).size() != names.size()) {
            throw new ToolException("--labels must be distinct and non-blank, was " + String.join(",", names));
        }
        List<MergeInput> inputs = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            inputs.add(new MergeInput(i, files.get(i), names.get(i).strip()));
        }
        return inputs;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            throw new ToolException(b + ": cannot read: " + e);
        }
    }

    /** The file names without {@code .trace}; letters A, B, ... when two would be equal. */
    static List<String> defaultLabels(List<Path> files) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean clash = false;
        for (Path f : files) {
            String name = f.getFileName().toString();
            name = name.endsWith(".trace") && name.length() > 6 ? name.substring(0, name.length() - 6) : name;
            clash |= !seen.add(name);
            names.add(name);
        }
        if (clash) {
            names.clear();
            for (int i = 0; i < files.size(); i++) {
                names.add(i < 26 ? String.valueOf((char) ('A' + i)) : "I" + (i + 1));
            }
        }
        return names;
    }

    /** Sets each input's id offset: {@code index * stride}, the stride a power of ten above every id. */
    private static long idStride(List<MergeInput> inputs) {
        long max = 0;
        for (MergeInput in : inputs) {
            max = Math.max(max, in.maxId);
        }
        long stride = ID_STRIDE;
        while (stride <= max) {
            if (stride > Long.MAX_VALUE / 10) {
                throw new ToolException("ids up to " + max + " are too large to merge");
            }
            stride *= 10;
        }
        try {
            Math.addExact(Math.multiplyExact(stride, (long) inputs.size() - 1), max);
        } catch (ArithmeticException e) {
            throw new ToolException("ids up to " + max + " are too large to merge " + inputs.size() + " traces");
        }
        for (MergeInput in : inputs) {
            in.idOffset = in.index * stride;
        }
        return stride;
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }

    private void report(PrintWriter out, List<MergeInput> inputs, List<Scan> scans, TraceHeader header, long stride,
            MergeLinks links, long reparented, long notReparented) {
        long events = scans.stream().mapToLong(Scan::events).sum();
        out.println("merged " + inputs.size() + " traces into " + output + ": " + events + " events, time 0 = "
                + Instant.ofEpochSecond(0, header.wallBaseNanos()));
        String[][] rows = new String[inputs.size() + 1][];
        rows[0] = new String[] {"label", "file", "ids +", "times + ns", "clock"};
        for (MergeInput in : inputs) {
            rows[in.index + 1] = new String[] {in.label, in.file.toString(), Long.toString(in.idOffset),
                Long.toString(in.shift), in.clockNote};
        }
        int[] width = new int[4];
        for (String[] row : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            out.println(pad(row[0], width[0], false) + "  " + pad(row[1], width[1], false) + "  "
                    + pad(row[2], width[2], true) + "  " + pad(row[3], width[3], true) + "  " + row[4]);
        }
        out.println("ids: input i (from 0) adds i x " + stride + "; thread names are LABEL:name");
        int timed = 0;
        for (MergeLinks.Link l : links.links()) {
            timed += l.timed() && l.caller != l.callee ? 1 : 0;
        }
        out.println("traceparent: " + links.links().size() + " links (" + timed + " timed across inputs), "
                + reparented + " request tasks made children of their callers' tasks"
                + (notReparented > 0 ? ", " + notReparented + " left alone (a local parent, or the client span's "
                        + "begin is not in the trace)" : "")
                + (links.unmatched > 0 ? "; " + links.unmatched + " parent ids name no client span of these inputs" : "")
                + (links.ambiguous > 0 ? "; " + links.ambiguous + " name client spans of two inputs, ignored" : ""));
    }
}
