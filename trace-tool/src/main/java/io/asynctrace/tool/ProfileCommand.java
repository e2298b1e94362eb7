package io.asynctrace.tool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code asynctrace profile FILE --kind KIND [--type T] [--id ID] [--where ...] -o OUT}:
 * a pprof profile of where the program waited, for {@code go tool pprof} and every
 * pprof viewer. One streaming pass ({@link ProfileHandler}); the profile is written to
 * a hidden temporary file beside {@code OUT} and moved into place.
 *
 * <p>Exit codes as every command's, plus {@value #NO_SAMPLES}: no event of the kind
 * matched (one line on stderr says why; {@code OUT} is not written).
 */
@Command(name = "profile", description = "A pprof profile (gzipped profile.proto, values in nanoseconds, labels "
        + "task_type and thread) of where time went: block (monitor enter and park), sleep, socket, pinned, sched "
        + "(jobs waiting for a thread, at the stack that queued them) or spans (span time at their begin stacks). "
        + "Read it with go tool pprof -top OUT.")
final class ProfileCommand implements Callable<Integer> {
    /** The exit code when no sample matched. */
    static final int NO_SAMPLES = 3;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the trace file")
    Path file;

    @Option(names = "--kind", paramLabel = "KIND", required = true,
            description = "block, sleep, socket, pinned, sched or spans")
    String kind;

    @Option(names = "--type", paramLabel = "T", description = "only samples of tasks of this type")
    String type;

    @Option(names = "--id", paramLabel = "ID", description = "only samples of the task with this id")
    long id;

    /** --where, --from, --to: see docs/CLI.md "Filters". */
    @Mixin
    FilterOptions filter;

    @Option(names = "-o", paramLabel = "OUT", required = true, description = "the profile file to write")
    Path output;

    @Option(names = "--outside-tasks", description = "also samples outside any task: threads waiting while no "
            + "task ran on them (idle pools, the JVM's own threads), detached spans, jobs of no task")
    boolean outsideTasks;

    @Option(names = "--jdk-frames", description = "keep the JDK's own innermost frames (Thread.sleep, "
            + "LockSupport.park, socket streams) instead of starting each stack at the code that called them")
    boolean jdkFrames;

    @Override
    public Integer call() {
        ProfileKind k = ProfileKind.parse(kind);
        TaskFilter taskFilter = filter.filter();
        if (id < 0) {
            throw new ToolException("--id must be a task id (at least 1), was " + id);
        }
        Path dir = output.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ToolException(dir + ": no such directory");
        }
        if (Files.isDirectory(output)) {
            throw new ToolException(output + ": is a directory");
        }
        Scan.check(file);
        try {
            if (Files.exists(output) && Files.isSameFile(file, output)) {
                throw new ToolException(output + ": the output is also the input (choose another -o)");
            }
        } catch (IOException e) {
            throw new ToolException(output + ": cannot read: " + e);
        }
        PprofBuilder builder = new PprofBuilder(k.sampleType, jdkFrames);
        ProfileHandler handler = new ProfileHandler(k, type, id, taskFilter.hasTerms(), outsideTasks, builder);
        Scan scan = taskFilter.read(file, handler, main.progress);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (builder.count() == 0) {
            err.println("asynctrace: " + noSamples(k, handler));
            scan.finish(err);
            return NO_SAMPLES;
        }
        long start = handler.firstTime == Long.MAX_VALUE ? 0 : handler.firstTime;
        long duration = handler.lastTime == Long.MIN_VALUE ? 0 : handler.lastTime - start;
        write(builder, scan.header().wallBaseNanos() + start, duration, k);
        out.println("wrote " + output + ": " + builder.count() + " " + k.cliName() + " samples, "
                + Durations.human(builder.totalNanos()) + " in all; read it with: go tool pprof -top " + output);
        if (handler.withoutStack > 0) {
            out.println("note: " + handler.withoutStack + " " + k.cliName() + " events carried no stack and are not"
                    + " in the profile" + hint(k));
        }
        if (handler.outside > 0) {
            out.println("note: " + handler.outside + " samples (" + Durations.human(handler.outsideNanos)
                    + ") outside any task are not in the profile (--outside-tasks keeps them)");
        }
        if (handler.unattributed > 0) {
            out.println("note: " + handler.unattributed + " samples could not be tied to a task (its begin is not in"
                    + " the file or came too late, or its thread's history was forgotten: more than "
                    + ProfileHandler.MAX_LANES + " threads worked after it) and are not in the profile");
        }
        out.flush();
        return scan.finish(err);
    }

    private String noSamples(ProfileKind k, ProfileHandler h) {
        String what = "no " + k.cliName() + " samples in " + file;
        String filters = (type != null ? " of type " + type : "") + (id != 0 ? " for task #" + id : "")
                + (filter.where.isEmpty() ? "" : " where " + String.join(" and ", filter.where));
        if (h.withoutStack > 0 && h.unattributed == 0) {
            return what + filters + ": its " + h.withoutStack + " " + k.cliName() + " events carry no stack" + hint(k);
        }
        if (k.runtime() && !h.sawRuntime) {
            return what + ": the trace has no JVM runtime events (record with TraceOptions.withRuntimeEvents)";
        }
        if (!k.runtime() && !h.sawOwnStacks) {
            return what + ": the trace has no stacks on asynctrace's events (record with"
                    + " TraceOptions.withStackDepth(N), N > 0)";
        }
        return what + (filters.isEmpty() ? " within a task" : " for tasks" + filters)
                + (h.unattributed > 0 ? " (" + h.unattributed + " samples could not be tied to a task)" : "")
                + (h.outside > 0 && filters.isEmpty() ? " (" + h.outside + " samples, "
                    + Durations.human(h.outsideNanos) + ", outside any task: --outside-tasks keeps them)" : "");
    }

    private static String hint(ProfileKind k) {
        return k.runtime() ? " (RuntimeEvents.withStackDepth(0) records none)"
                : " (record with TraceOptions.withStackDepth(N), N > 0)";
    }

    private void write(PprofBuilder builder, long startWall, long duration, ProfileKind k) {
        Path dir = output.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + output.getFileName(), ".part");
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                builder.write(o, startWall, duration, "asynctrace profile --kind " + k.cliName() + " " + file);
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
    }
}
