package org.seqrec.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
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

    /** One planned run. */
    public record Run(String config, String model, Map<String, Object> params, String data, Protocol protocol, long seed,
            Path dir) {
        public String dataset() {
            return datasetName(data);
        }

        public boolean finished() {
            return Files.isRegularFile(new RunDir(dir).results(protocol));
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
                            runs.add(new Run(config, entry.model(), params, data, protocol, seed, folder.resolve("runs").resolve(dirName)));
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
                    } catch (org.seqrec.run.RunLock.Busy e) { // another lane trains it: go on with the next
                        LOG.info("skipped: {}", e.getMessage());
                    }
                }
                bar.stepTo(++i);
            }
        }
    }

    /**
     * The finished runs, each labelled with its configuration and compared with the paper's figure of
     * its model (none for a run in another regime than its model's own, as in {@code seqrec report}), through the report engine into
     * {@code folder}: {@code results.{md,csv,json}}, the spec's layouts and plot.
     */
    public static Report.Result report(ExperimentSpec spec, List<Run> runs, Path folder) {
        List<RunRecord> finished = new ArrayList<>();
        for (Run r : runs) {
            if (r.finished()) {
                RunRecord run = RunRecord.read(r.dir(), r.protocol()); // its model: with the regime when not its own (no paper figure)
                finished.add(run.as(r.config(), run.model(), r.params(), r.dataset()));
            }
        }
        return LayoutTables.write(finished, spec.reportSpec(), folder);
    }

    private static DataSource dataSource(ExperimentSpec spec, String path) {
        return spec != null ? spec.dataSource(path) : new DataSource(Path.of(path).toAbsolutePath().normalize().toString(), "auto", null,
                null, null, null, null, null, 5, Double.NaN); // the CLI's defaults
    }
}
