package org.seqrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.seqrec.testutil.Fixtures.CliResult;
import org.seqrec.testutil.Fixtures;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

/** Help, labels and other habits of the command line (issue 17, finding 7). */
class CliHabitsTest {
    /** A label picocli made from a Java field name: {@code <maxWaitMicros>}, or a lower-case word such as {@code <seed>}. */
    private static final Pattern FIELD_LABEL = Pattern.compile("<[a-z]+[A-Z][A-Za-z0-9]*>");

    private static void walk(CommandLine cl, List<String> bad) {
        CommandSpec spec = cl.getCommandSpec();
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec a : args) {
            if (a.arity().max() == 0) {
                continue; // a flag: no label shown
            }
            String label = a.paramLabel();
            if (FIELD_LABEL.matcher(label).matches() || label.matches("<[a-z]+>")) {
                bad.add(spec.qualifiedName() + " " + (a.isOption() ? ((CommandLine.Model.OptionSpec) a).longestName() : "positional") + "=" + label);
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            walk(sub, bad);
        }
    }

    @Test
    void everyOptionHasAReadableLabel() {
        List<String> bad = new ArrayList<>();
        walk(Main.commandLine(), bad);
        assertThat(bad).as("options whose help label is a Java field name: set paramLabel").isEmpty();
    }

    @Test
    void helpWalksNestedCommands() {
        CliResult r = Fixtures.cli("help", "data", "convert");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: seqrec data convert").contains("--max-errors=N");
        CliResult unknown = Fixtures.cli("help", "data", "nope");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command 'nope' under 'seqrec data'");
    }

    @Test
    void helpPrintsNoPicocliWarnings() {
        for (String[] args : new String[][] {{"help"}, {"help", "experiment"}, {"experiment", "--help"}}) {
            CliResult r = Fixtures.cli(args);
            assertThat(r.exitCode()).isZero();
            assertThat(r.err()).as(String.join(" ", args)).doesNotContain("picocli WARN");
            assertThat(r.out() + r.err()).doesNotContain("%n");
        }
        assertThat(Fixtures.cli("help", "experiment").out()).contains("95% CI");
    }

    @Test
    void completionScriptCoversNestedCommandsAndOptions() {
        CliResult r = Fixtures.cli("completion");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_seqrec")
                .contains("convert").contains("--max-errors");
    }

    @Test
    void logLevelIsValidatedAndDocumented() {
        CliResult bad = Fixtures.cli("--log-level", "loud", "help");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("error, warn, info, debug");
        assertThat(Fixtures.cli("help").out()).contains("--log-level=LEVEL");
    }

    @Test
    void progressBarsShowTheEta() throws Exception {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        boolean was = org.seqrec.util.Progress.enabled();
        try {
            org.seqrec.util.Progress.setEnabled(true);
            System.setErr(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
            try (var bar = org.seqrec.util.Progress.bar("task", 10, "x")) {
                bar.stepTo(5);
                Thread.sleep(300);
            }
        } finally {
            System.setErr(old);
            org.seqrec.util.Progress.setEnabled(was);
        }
        // "(elapsed / ETA)": two durations; without the ETA only one
        assertThat(buf.toString(java.nio.charset.StandardCharsets.UTF_8)).containsPattern("\\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\)");
    }
}
