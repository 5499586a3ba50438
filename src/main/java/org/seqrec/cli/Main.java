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
                ImportCommand.class, ExportCommand.class,
                CompletionCommand.class, HelpCommand.class})
public final class Main implements Runnable {
    /** The levels {@code --log-level} takes. */
    public enum LogLevel { error, warn, info, debug }

    @Option(names = {"-q", "--quiet"}, scope = CommandLine.ScopeType.INHERIT, description = "No progress bars.")
    void quiet(boolean q) {
        Progress.setEnabled(!q);
    }

    @Option(names = "--log-level", paramLabel = "LEVEL", scope = CommandLine.ScopeType.INHERIT,
            description = "Log messages at this level and above: ${COMPLETION-CANDIDATES}. Default: info.")
    void logLevel(LogLevel level) {
        setLogLevel(level);
    }

    /**
     * Sets the level of every logger created from now on (slf4j-simple reads it when a logger is made:
     * {@link #run} applies {@code --log-level} before any exists).
     */
    static void setLogLevel(LogLevel level) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.name());
    }

    /** Applies {@code --log-level L} / {@code --log-level=L} found anywhere in {@code args} before any logger exists. */
    static void preScanLogLevel(String... args) {
        for (int k = 0; k < args.length; k++) {
            String v = args[k].startsWith("--log-level=") ? args[k].substring("--log-level=".length())
                    : args[k].equals("--log-level") && k + 1 < args.length ? args[k + 1] : null;
            if (v != null) {
                for (LogLevel l : LogLevel.values()) {
                    if (l.name().equalsIgnoreCase(v)) {
                        setLogLevel(l);
                    }
                }
            }
        }
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
        preScanLogLevel(args);
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
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
