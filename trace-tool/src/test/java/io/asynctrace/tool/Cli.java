package io.asynctrace.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process and captures what it prints. */
record Cli(int code, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), false, args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** Bad input: exit code 2 and one line on stderr containing {@code expected}, never a stack trace. */
    static void assertOneLine(Cli r, String expected) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).endsWith("\n").contains(expected).doesNotContain("\tat ", "Exception in");
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
