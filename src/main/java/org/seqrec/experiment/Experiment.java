package org.seqrec.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.seqrec.data.DataSource;
import org.seqrec.eval.Protocol;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.report.LayoutTables;
import org.seqrec.report.Report;
import org.seqrec.report.RunRecord;
import org.seqrec.run.RunDir;
import org.seqrec.run.RunParams;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.train.TrainingHistory;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans and runs an {@link ExperimentSpec}: one run directory per (configuration, dataset,
 * protocol, seed) under the experiment's folder. Resumable: a run with results is skipped, a run
 * with a checkpoint continues from it. Then {@link #report} writes the tables and plots.
 */
public final class Experiment {
    private static final Logger LOG = LoggerFactory.getLogger(Experiment.class);

    /**
     * One planned run: trained in {@code dir}, its small files kept in {@code kept} (the spec's versioned results;
     * null where the spec keeps none).
     */
    public record Run(String config, String model, Map<String, Object> params, String data, Protocol protocol, long seed,
            Path dir, Path kept) {
        public Run(String config, String model, Map<String, Object> params, String data, Protocol protocol, long seed, Path dir) {
            this(config, model, params, data, protocol, seed, dir, null);
        }

        public String dataset() {
            return datasetName(data);
        }

        /** Whether it has test results, in its run directory or kept. */
        public boolean finished() {
            return Files.isRegularFile(new RunDir(dir).results(protocol)) || isKept();
        }

        /** Whether its results are kept (they may also be in its run directory). */
        public boolean isKept() {
            return kept != null && Files.isRegularFile(new RunDir(kept).results(protocol));
        }

        /** Where its results are read from: its run directory where that has them, else where they are kept. */
        public Path resultsDir() {
            return Files.isRegularFile(new RunDir(dir).results(protocol)) ? dir : kept;
        }

        /** What it is now: {@code done} (results in its run directory), {@code kept} (results kept only), {@code started} (a checkpoint), {@code todo}. */
        public String state() {
            if (Files.isRegularFile(new RunDir(dir).results(protocol))) {
                return "done";
            }
            if (isKept()) {
                return "kept";
            }
            return new RunDir(dir).hasCheckpoint() ? "started" : "todo";
        }
    }

    private Experiment() {}

    /** The experiment's folder: the spec's {@code out}, else {@code experiments/out/NAME} beside the spec's folder. */
    public static Path folder(ExperimentSpec spec, Path specFile) {
        if (spec.out() != null) {
            return Path.of(spec.out());
        }
        Path parent = specFile.toAbsolutePath().getParent();
        return parent.resolve("out").resolve(spec.name());
    }

    /**
     * Every run, in order: models and their grid combinations, then datasets, protocols, seeds. A
     * model's preset for a dataset ({@code presets}) lies under its params, as {@code train --preset}.
     */
    public static List<Run> plan(ExperimentSpec spec, Path folder) {
        Path keptRuns = spec.results() == null ? null : Path.of(spec.results()).resolve("runs");
        List<Run> runs = new ArrayList<>();
        for (ExperimentSpec.ModelEntry entry : spec.models()) {
            ModelRegistry.get(entry.model());
            for (Map<String, Object> combo : combinations(entry.grid())) {
                Map<String, Object> explicit = new LinkedHashMap<>(entry.params() == null ? Map.of() : entry.params());
                explicit.putAll(combo);
                String config = label(entry.model(), combo);
                for (String data : spec.data()) {
                    String dataset = datasetName(data);
                    Map<String, Object> params;
                    try {
                        params = RunParams.withPreset(entry.model(), entry.presets() == null ? null : entry.presets().get(dataset), explicit);
                        RunParams.checkParams(entry.model(), params);
                    } catch (SeqrecException e) {
                        throw new SeqrecException("experiment configuration '" + config + "': " + e.getMessage(), e);
                    }
                    for (String p : spec.protocolsOrDefault()) {
                        Protocol protocol = Protocol.parse(p);
                        for (long seed : spec.seedsOrDefault()) {
                            String dirName = config.replace(' ', '-').replace("=", "") + "-" + dataset + "-" + protocol.key() + "-seed" + seed;
                            for (Run other : runs) {
                                if (other.dir().getFileName().toString().equals(dirName)) {
                                    throw new SeqrecException("experiment " + spec.name() + ": two configurations would share the run "
                                            + dirName + " (entries of one model differ only in params: put what differs under"
                                            + " 'grid:', which names the runs)");
                                }
                            }
                            runs.add(new Run(config, entry.model(), params, data, protocol, seed, folder.resolve("runs").resolve(dirName),
                                    keptRuns == null ? null : keptRuns.resolve(dirName)));
                        }
                    }
                }
            }
        }
        return runs;
    }

    /** The dataset's name: its file name up to the first dot ({@code ../data/Beauty.txt}: Beauty). */
    static String datasetName(String data) {
        String f = Path.of(data).getFileName().toString();
        int dot = f.indexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    /** {@code "convformer kernel=5 padding=zero"}: the model and its grid values. */
    static String label(String model, Map<String, Object> combo) {
        StringBuilder sb = new StringBuilder(model);
        combo.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    static List<Map<String, Object>> combinations(Map<String, List<Object>> grid) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        if (grid == null) {
            return out;
        }
        for (Map.Entry<String, List<Object>> e : grid.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new SeqrecException("grid '" + e.getKey() + "' lists no value");
            }
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> partial : out) {
                for (Object v : e.getValue()) {
                    Map<String, Object> m = new LinkedHashMap<>(partial);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }

    /** Trains and evaluates every unfinished run, one after the other, with an overall progress bar; data read with the CLI's defaults. */
    public static void run(List<Run> runs) {
        run(null, runs);
    }

    /** {@link #run(List)} reading each dataset with the spec's {@code data_options}. */
    public static void run(ExperimentSpec spec, List<Run> runs) {
        long todo = runs.stream().filter(r -> !r.finished()).count();
        LOG.info("{} runs, {} finished, {} to do", runs.size(), runs.size() - todo, todo);
        try (ProgressBar bar = Progress.bar("experiment", runs.size(), "runs")) {
            int i = 0;
            for (Run r : runs) {
                if (!r.finished()) {
                    boolean resume = new RunDir(r.dir()).hasCheckpoint();
                    LOG.info("run {}/{}: {} on {} ({}, seed {}){}", i + 1, runs.size(), r.config(), r.dataset(), r.protocol().key(),
                            r.seed(), resume ? ", resumed" : "");
                    try {
                        Runs.train(TrainRequest.builder(r.model(), dataSource(spec, r.data()), r.dir()).params(r.params())
                                .seed(r.seed()).protocol(r.protocol()).overwrite(!resume).resume(resume).keepHistories(false).build());
                        keep(r);
                    } catch (org.seqrec.run.RunLock.Busy e) { // another lane trains it: go on with the next
                        LOG.info("skipped: {}", e.getMessage());
                    }
                }
                bar.stepTo(++i);
            }
        }
    }

    /**
     * Copies the small files of {@code r}'s run directory (config, results of every protocol, per-epoch
     * history, cost, dataset fingerprint) to where the spec keeps it, replacing an older copy; nothing
     * when the run has no results in its directory or the spec keeps none.
     */
    public static void keep(Run r) {
        RunDir live = new RunDir(r.dir());
        if (r.kept() == null || !Files.isRegularFile(live.results(r.protocol()))) {
            return;
        }
        try {
            Files.createDirectories(r.kept());
            for (Path f : live.summaryFiles()) {
                Path tmp = r.kept().resolve(f.getFileName() + ".tmp");
                Files.copy(f, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, r.kept().resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new SeqrecException("cannot keep " + r.dir() + " in " + r.kept() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The finished runs (in their run directories or kept), each labelled with its configuration and
     * compared with the paper's figure of its model (none for a run in another regime than its model's
     * own, as in {@code seqrec report}), through the report engine into {@code folder}:
     * {@code results.{md,csv,json}}, the spec's layouts and plot, and {@code runs.md}, every planned
     * run with its state. Runs finished in their directories are kept first ({@link #keep}).
     */
    public static Report.Result report(ExperimentSpec spec, List<Run> runs, Path folder) {
        List<RunRecord> finished = new ArrayList<>();
        for (Run r : runs) {
            keep(r);
            if (r.finished()) {
                RunRecord run = RunRecord.read(r.resultsDir(), r.protocol()); // its model: with the regime when not its own (no paper figure)
                finished.add(run.as(r.config(), run.model(), r.params(), r.dataset()));
            }
        }
        Report.Result result = LayoutTables.write(finished, spec.reportSpec(), folder);
        AtomicFiles.writeString(folder.resolve("runs.md"), progress(spec, runs, finished));
        return result;
    }

    /** Every planned run with its state and, where finished, its training cost: what a study in progress has done and has left. */
    static String progress(ExperimentSpec spec, List<Run> runs, List<RunRecord> finished) {
        long done = runs.stream().filter(Run::finished).count();
        double hours = 0;
        StringBuilder sb = new StringBuilder("# ").append(spec.name()).append(": runs\n\n");
        sb.append(String.format("%d of %d runs finished. State: `kept` (results kept in %s), `done` (also in its run directory),"
                + " `started` (a checkpoint: the next `seqrec experiment` resumes it), `todo`. Hours: the sum of the epochs'"
                + " seconds in its history (training and validation, one run's engine threads).%n%n", done, runs.size(),
                spec.results() == null ? "the run directory" : "runs/"));
        sb.append("| configuration | dataset | protocol | seed | state | epochs (best) | hours | machine |\n|---|---|---|---:|---|---|---:|---|\n");
        for (Run r : runs) {
            RunRecord rec = finished.stream().filter(f -> f.dir().equals(r.resultsDir()) && f.protocol() == r.protocol()).findFirst()
                    .orElse(null);
            String epochs = "";
            String h = "";
            if (rec != null && rec.training().epochs() != null) {
                epochs = rec.training().epochs() + " (" + rec.training().bestEpoch() + ")";
                double s = historySeconds(new RunDir(r.resultsDir()).history());
                hours += s / 3600;
                h = String.format("%.2f", s / 3600);
            }
            sb.append(String.format("| %s | %s | %s | %d | %s | %s | %s | %s |%n", r.config(), r.dataset(), r.protocol().key(), r.seed(),
                    r.state(), epochs, h, rec == null ? "" : rec.machine()));
        }
        sb.append(String.format("%nFinished runs took %.1f hours in all.%n", hours));
        return sb.toString();
    }

    private static double historySeconds(Path history) {
        double s = 0;
        if (Files.isRegularFile(history)) {
            for (TrainingHistory.Line line : TrainingHistory.read(history)) {
                s += line.node().path("seconds").asDouble();
            }
        }
        return s;
    }

    private static DataSource dataSource(ExperimentSpec spec, String path) {
        return spec != null ? spec.dataSource(path) : new DataSource(Path.of(path).toAbsolutePath().normalize().toString(), "auto", null,
                null, null, null, null, null, 5, Double.NaN); // the CLI's defaults
    }
}
