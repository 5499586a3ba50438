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
import org.seqrec.model.ModelRegistry;
import org.seqrec.train.RunDir;
import org.seqrec.train.Runs;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans and runs an {@link ExperimentSpec}: one run directory per (configuration, dataset,
 * protocol, seed) under the experiment's folder. Resumable: a run with results is skipped, a run
 * with a checkpoint continues from it. Then {@link Aggregate} writes the tables and plots.
 */
public final class Experiment {
    private static final Logger LOG = LoggerFactory.getLogger(Experiment.class);

    /** One planned run. */
    public record Run(String config, String model, Map<String, Object> params, String data, Protocol protocol, long seed,
            Path dir) {
        public String dataset() {
            String f = Path.of(data).getFileName().toString();
            int dot = f.indexOf('.');
            return dot > 0 ? f.substring(0, dot) : f;
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

    /** Every run, in order: models and their grid combinations, then datasets, protocols, seeds. */
    public static List<Run> plan(ExperimentSpec spec, Path folder) {
        List<Run> runs = new ArrayList<>();
        for (ExperimentSpec.ModelEntry entry : spec.models()) {
            ModelRegistry.get(entry.model());
            for (Map<String, Object> combo : combinations(entry.grid())) {
                Map<String, Object> params = new LinkedHashMap<>(entry.params() == null ? Map.of() : entry.params());
                params.putAll(combo);
                String config = label(entry.model(), combo);
                try {
                    Runs.checkParams(entry.model(), params);
                } catch (SeqrecException e) {
                    throw new SeqrecException("experiment configuration '" + config + "': " + e.getMessage(), e);
                }
                for (String data : spec.data()) {
                    for (String p : spec.protocolsOrDefault()) {
                        Protocol protocol = Protocol.parse(p);
                        for (long seed : spec.seedsOrDefault()) {
                            Run r = new Run(config, entry.model(), params, data, protocol, seed, null);
                            String dirName = config.replace(' ', '-').replace("=", "") + "-" + r.dataset() + "-" + protocol.key() + "-seed" + seed;
                            runs.add(new Run(config, entry.model(), params, data, protocol, seed, folder.resolve("runs").resolve(dirName)));
                        }
                    }
                }
            }
        }
        return runs;
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
                    boolean resume = Files.isRegularFile(r.dir().resolve("checkpoint").resolve("state.json"));
                    LOG.info("run {}/{}: {} on {} ({}, seed {}){}", i + 1, runs.size(), r.config(), r.dataset(), r.protocol().key(),
                            r.seed(), resume ? ", resumed" : "");
                    try {
                        Runs.train(new Runs.TrainRequest(r.model(), r.params(), dataSource(spec, r.data()), r.dir(), r.seed(),
                                r.protocol(), null, 42, true, 256, !resume, resume));
                    } catch (org.seqrec.train.RunLock.Busy e) { // another lane trains it: go on with the next
                        LOG.info("skipped: {}", e.getMessage());
                    }
                }
                bar.stepTo(++i);
            }
        }
    }

    private static DataSource dataSource(ExperimentSpec spec, String path) {
        return spec != null ? spec.dataSource(path) : new DataSource(Path.of(path).toAbsolutePath().normalize().toString(), "auto", null,
                null, null, null, null, null, 5, Double.NaN); // the CLI's defaults
    }
}
