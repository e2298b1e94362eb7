package io.asynctrace.tool;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "tasks", description = "Task instances, slowest first, each with its event log (when, elapsed, "
        + "thread, event), threads, outcome and latency breakdown: running / queued for a thread / other; with JVM "
        + "runtime events, time blocked, in socket I/O and in GC pauses.")
final class TasksCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the trace file")
    Path file;

    @Option(names = "--type", paramLabel = "T", description = "only tasks of this type")
    String type;

    @Option(names = "--slowest", paramLabel = "N", description = "only the N slowest tasks (default: all)")
    int slowest;

    @Option(names = "--id", paramLabel = "ID", description = "only the task with this id")
    long id;

    @Option(names = "--json", description = "print the JSON array documented in docs/CLI.md")
    boolean json;

    @Option(names = "--stacks", description = "print the stack under each event that has one (recordings with "
            + "stack depth > 0, JVM runtime events)")
    boolean stacks;

    @Mixin
    FilterOptions filter;

    @Override
    public Integer call() {
        TaskFilter f = filter.filter();
        if (slowest < 0) {
            throw new ToolException("--slowest must be at least 1, was " + slowest);
        }
        PrintWriter out = spec.commandLine().getOut();
        Tasks.Result result = id != 0 ? Tasks.byId(file, id, main.progress)
                : Tasks.find(file, type, 0, -1, slowest, true, f, main.progress);
        if (json) {
            JsonWriter j = new JsonWriter(out);
            j.beginArray();
            for (TaskReport t : result.tasks()) {
                t.json(j);
            }
            j.endArray();
            out.println();
        } else if (result.tasks().isEmpty()) {
            out.println(id != 0 ? "no task #" + id + " in " + file
                    : "no tasks" + (type == null ? "" : " of type " + type) + (f.isNone() ? "" : " matching " + f)
                    + " in " + file);
        } else {
            boolean first = true;
            for (TaskReport t : result.tasks()) {
                if (!first) {
                    out.println();
                }
                first = false;
                t.text(out, stacks);
            }
        }
        out.flush();
        return result.scan().finish(spec.commandLine().getErr());
    }
}
