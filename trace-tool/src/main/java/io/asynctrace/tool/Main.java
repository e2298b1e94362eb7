package io.asynctrace.tool;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code asynctrace} command line: {@code summary}, {@code tasks}, {@code logs},
 * {@code export}, {@code merge}, {@code view} and {@code demo}. Its JSON output is a stable
 * interface, documented in {@code docs/CLI.md}.
 *
 * <p>Exit codes: 0 success; 1 an internal or output error; 2 bad usage or bad input
 * (a missing file, not a trace, an unsupported version, a truncated trace — for which
 * the partial result is still printed, with a warning on stderr). Errors are one line
 * on stderr, never a stack trace.
 *
 * <pre>{@code
 * java -jar asynctrace.jar summary app.trace --json
 * }</pre>
 */
@Command(name = "asynctrace", mixinStandardHelpOptions = true, version = "asynctrace 0.1.0-SNAPSHOT",
        description = "Analyse asynctrace traces: task latency, task event logs, logs, export to Perfetto, OTLP and Zipkin, "
            + "merging the traces of several processes, a browser view.")
public final class Main implements Runnable {
    /** The subcommands, in the order the usage lists them. */
    private static final List<Class<?>> COMMANDS = List.of(SummaryCommand.class, TasksCommand.class, LogsCommand.class,
            ExportCommand.class, MergeCommand.class, ProfileCommand.class, ViewCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class);

    /** Where progress bars go: stderr when it is a terminal, else null. */
    PrintWriter progress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Main() {
    }

    /**
     * Runs the command line and exits the JVM with its exit code (except for a
     * {@code view} server, which runs until the process is stopped).
     *
     * @param args the command line arguments
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(out, err, System.console() != null, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs one command line.
     *
     * @param out standard output
     * @param err standard error
     * @param terminal whether {@code err} is an interactive terminal (progress bars)
     * @param args the arguments
     * @return the exit code
     */
    static int run(PrintWriter out, PrintWriter err, boolean terminal, String... args) {
        Main main = new Main();
        main.progress = terminal ? err : null;
        CommandLine cl = new CommandLine(main);
        // picocli reads every registered command's annotations up front: a view, which should open at
        // once, registers only itself (its usage and errors are the same; the top-level usage needs all).
        boolean viewOnly = args.length > 0 && args[0].equals("view");
        for (Class<?> command : viewOnly ? List.of(ViewCommand.class) : COMMANDS) {
            cl.addSubcommand(command);
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getOut().flush();
            if (e instanceof ToolException) {
                err.println("asynctrace: " + e.getMessage());
                return ((ToolException) e).exitCode();
            }
            if (e instanceof UncheckedIOException) {
                err.println("asynctrace: cannot write output: " + e.getCause().getMessage());
                return 1;
            }
            err.println("asynctrace: internal error: " + e + " (please report it with the trace file)");
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
