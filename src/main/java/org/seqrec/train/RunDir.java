package org.seqrec.train;

import java.nio.file.Files;
import java.nio.file.Path;
import org.seqrec.eval.Protocol;
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
 * </pre>
 */
public record RunDir(Path dir) {
    public static RunDir existing(Path dir) {
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new SeqrecException(dir + " is not a seqrec run directory (no config.json)");
        }
        return new RunDir(dir);
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
}
