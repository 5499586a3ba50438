package org.seqrec.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.seqrec.experiment.Experiment;
import org.seqrec.experiment.ExperimentSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code seqrec experiment}. */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = {
        "Run every (model configuration, dataset, protocol, seed) of an experiment spec (YAML or JSON), each in its own run"
                + " directory, skipping finished runs and resuming killed ones; keep each finished run's small files (config,"
                + " results, history) in the spec's results folder (default results/NAME beside the spec, versioned: a run kept"
                + " there is finished for good); then write there results.{md,csv,json} (mean, sd, 95%% CI, t-tests), runs.md"
                + " (every run's state) and the spec's plot. Long: run it in the background (nohup ... &)."})
final class ExperimentCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = "The experiment file, e.g. experiments/kernel-sweep-beauty.yaml.")
    Path spec;

    @Option(names = "--dry-run", description = "List the runs (and which are finished) without training.")
    boolean dryRun;

    @Option(names = "--report-only", description = "Only aggregate the runs that have finished.")
    boolean reportOnly;

    @Option(names = "--threads", paramLabel = "N", description = "Engine (PyTorch intra-op) threads; default: all cores.")
    Integer threads;

    @Override
    public Integer call() {
        ExperimentSpec s = ExperimentSpec.read(spec);
        Path folder = Experiment.folder(s, spec);
        List<Experiment.Run> runs = Experiment.plan(s, folder);
        if (dryRun) {
            long done = runs.stream().filter(Experiment.Run::finished).count();
            System.out.printf("%s: %d runs (%d finished) in %s%s%n", s.name(), runs.size(), done, folder,
                    s.results() == null ? "" : ", kept in " + s.results());
            for (Experiment.Run r : runs) {
                System.out.printf("  %-7s %s | %s | %s | seed %d -> %s%n", r.state(), r.config(), r.dataset(), r.protocol().key(),
                        r.seed(), r.dir());
            }
            return 0;
        }
        EvalOptions.applyThreads(threads);
        if (!reportOnly) {
            Experiment.run(s, runs);
        }
        Path tables = s.results() == null ? folder : Path.of(s.results());
        Experiment.report(s, runs, tables);
        System.out.println("results in " + tables.resolve("results.md") + "; every run's state in " + tables.resolve("runs.md"));
        return 0;
    }
}
