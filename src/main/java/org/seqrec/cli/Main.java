package org.seqrec.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.seqrec.run.Versions;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** The {@code seqrec} command line. */
@Command(name = "seqrec", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Sequential recommendation: datasets, evaluation protocols, models.",
        subcommands = {QuickstartCommand.class, DataCommand.class, TrainCommand.class, EvaluateCommand.class,
                RecommendCommand.class, ReportCommand.class, ServeCommand.class, ScoreCommand.class, LoadTestCommand.class, ExperimentCommand.class, PlotCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = {"-q", "--quiet"}, scope = CommandLine.ScopeType.INHERIT, description = "No progress bars.")
    void quiet(boolean q) {
        Progress.setEnabled(!q);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            Throwable t = ex;
            if (t instanceof SeqrecException se) {
                err.println("seqrec: error: " + se.getMessage());
                err.flush();
                return se.exitCode();
            }
            if (t instanceof UncheckedIOException io) {
                err.println("seqrec: error: " + io.getMessage());
                err.flush();
                return 2;
            }
            throw ex;
        });
        return cli;
    }

    /** {@code --version}. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return Versions.all().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toArray(String[]::new);
        }
    }
}
