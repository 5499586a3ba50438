package org.seqrec.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.seqrec.eval.Protocol;
import org.seqrec.util.Manifest;
import org.seqrec.util.SeqrecException;

/**
 * The layout of a run directory:
 * <pre>
 * config.json            model, hyper-parameters, data source, seed, versions
 * dataset.json           dataset fingerprint and statistics
 * item_map.tsv           dense item id -> original id
 * model/                 weights
 * negatives-PROTOCOL.txt fixed negatives of a sampled protocol
 * results-PROTOCOL.json  metrics for valid and test under one protocol
 * results.json           the latest evaluation (a copy of one results-PROTOCOL.json)
 * results.md             Markdown tables of every protocol evaluated
 * ranks-PROTOCOL.tsv     per-user ranks (user, valid, test) for significance tests
 * history.jsonl          per-epoch training log (trained models)
 * cost.json              weights and MACs per sequence of the trained model (neural models)
 * manifest.json          size and SHA-256 of config, item map, popularity and weights (written when training ends)
 * checkpoint/            the last completed epoch (weights, optimizer, history, its own manifest) and state.json
 * .lock                  held by the one process that writes the run ({@link RunLock})
 * </pre>
 */
public record RunDir(Path dir) {
    public static RunDir existing(Path dir) {
        if (!Files.exists(dir)) {
            throw new SeqrecException("run directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new SeqrecException(dir + " is a file, not a run directory");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new SeqrecException(dir + " is not a seqrec run directory (no config.json)");
        }
        return new RunDir(dir);
    }

    /**
     * An existing run whose saved files match its manifest ({@link Manifest}); a run without one
     * (trained before manifests existed, or not finished) is accepted with a warning.
     *
     * @throws SeqrecException when the run is damaged
     */
    public static RunDir verified(Path dir) {
        RunDir run = existing(dir);
        if (Manifest.verify(dir, "run").isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(RunDir.class).warn("{} has no {} (trained by an older seqrec, or not"
                    + " finished): its files are not verified", dir, Manifest.FILE);
        }
        return run;
    }

    /** Writes the manifest of the files that loading this run depends on (after training has saved them). */
    public void writeManifest() {
        java.util.List<String> files = new java.util.ArrayList<>(java.util.List.of("config.json", "item_map.tsv",
                org.seqrec.run.Popularity.FILE));
        try (var walk = Files.walk(model())) {
            walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted()
                    .forEach(files::add);
        } catch (java.io.IOException e) {
            throw new SeqrecException("cannot list " + model() + ": " + e.getMessage(), e);
        }
        Manifest.write(dir, files);
    }

    /** Removes the manifest: the run's files are about to change (training resumes). */
    public void dropManifest() {
        try {
            Files.deleteIfExists(dir.resolve(Manifest.FILE));
        } catch (java.io.IOException e) {
            throw new SeqrecException("cannot remove " + dir.resolve(Manifest.FILE) + ": " + e.getMessage(), e);
        }
    }

    public Path config() {
        return dir.resolve("config.json");
    }

    public Path dataset() {
        return dir.resolve("dataset.json");
    }

    public Path itemMap() {
        return dir.resolve("item_map.tsv");
    }

    public Path model() {
        return dir.resolve("model");
    }

    public Path negatives(Protocol p) {
        return dir.resolve("negatives-" + p.key() + ".txt");
    }

    public Path results(Protocol p) {
        return dir.resolve("results-" + p.key() + ".json");
    }

    public Path results() {
        return dir.resolve("results.json");
    }

    public Path resultsMarkdown() {
        return dir.resolve("results.md");
    }

    public Path ranks(Protocol p) {
        return dir.resolve("ranks-" + p.key() + ".tsv");
    }

    public Path history() {
        return dir.resolve("history.jsonl");
    }

    /** The model's size and MACs per sequence ({@code train.ModelCost}), written when training starts. */
    public Path cost() {
        return dir.resolve("cost.json");
    }
}
