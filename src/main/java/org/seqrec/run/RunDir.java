package org.seqrec.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.eval.Protocol;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.train.TrainFiles;
import org.seqrec.util.Manifest;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a run directory's layout: every file name is written here and nowhere else.
 * <pre>
 * config.json            model, hyper-parameters, data source, seed, protocol, versions ({@link RunConfig})
 * dataset.json           dataset fingerprint and statistics
 * item_map.tsv           dense item id -> original id
 * user_map.tsv           dense user id -> original id (runs of models that read user ids, such as FM)
 * popularity.tsv         training interactions per item ({@link Popularity}): the fallback for unknown histories
 * model/                 the model's weights, in the model's own format ({@code RecModel#save})
 * negatives-PROTOCOL.json how a sampled protocol's negatives are derived: seed, count, SHA-256 of their export
 * negatives-PROTOCOL.txt fixed negatives of a sampled protocol given as a file (and runs made before derivation)
 * results-PROTOCOL.json  metrics for valid and test under one protocol
 * results.json           the latest evaluation (a copy of one results-PROTOCOL.json)
 * results.md             Markdown tables of every protocol evaluated
 * ranks-PROTOCOL.tsv     per-user ranks (user, valid, test) for significance tests
 * history.jsonl          per-epoch training log (neural models)
 * cost.json              weights, MACs per sequence, peak memory of training (neural models)
 * profile.md             operator profile of the first epoch's steps, with profile-trace.json (param profile_steps)
 * import.json            where imported weights came from: source, file, SHA-256, checkpoint key of every weight (seqrec import)
 * histories.db           every user's history in original ids, plus appended events ({@link HistoryStore}; SQLite)
 * manifest.json          size and SHA-256 of config, item map, popularity and weights (written when training ends)
 * checkpoint/            the last completed epoch and state.json, in the trainer's format ({@code train.Trainer})
 * .lock                  held by the one process that writes the run ({@link RunLock})
 * </pre>
 */
public record RunDir(Path dir) {
    private static final Logger LOG = LoggerFactory.getLogger(RunDir.class);
    static final String CONFIG = "config.json";
    static final String DATASET = "dataset.json";
    static final String ITEM_MAP = "item_map.tsv";
    static final String USER_MAP = "user_map.tsv";
    static final String POPULARITY = "popularity.tsv";
    static final String MODEL = "model";
    static final String HISTORY = "history.jsonl";
    static final String COST = "cost.json";
    static final String PROFILE = "profile.md";
    static final String PROFILE_TRACE = "profile-trace.json";
    static final String CHECKPOINT = "checkpoint";
    static final String RESULTS = "results.json";
    static final String RESULTS_MARKDOWN = "results.md";
    static final String HISTORIES = "histories.db";
    static final String PROVENANCE = "import.json";

    public static RunDir existing(Path dir) {
        if (!Files.exists(dir)) {
            throw new SeqrecException("run directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new SeqrecException(dir + " is a file, not a run directory");
        }
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
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
            LOG.warn("{} has no {} (trained by an older seqrec, or not"
                    + " finished): its files are not verified", dir, Manifest.FILE);
        }
        return run;
    }

    /** Writes the manifest of the files that loading this run depends on (after training has saved them). */
    public void writeManifest() {
        java.util.List<String> files = new java.util.ArrayList<>(java.util.List.of(CONFIG, ITEM_MAP, POPULARITY));
        if (Files.isRegularFile(userMap())) {
            files.add(USER_MAP);
        }
        try (var walk = Files.walk(model())) {
            walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new SeqrecException("cannot list " + model() + ": " + e.getMessage(), e);
        }
        Manifest.write(dir, files);
    }

    /** Removes the manifest: the run's files are about to change (training resumes). */
    public void dropManifest() {
        try {
            Files.deleteIfExists(manifest());
        } catch (java.io.IOException e) {
            throw new SeqrecException("cannot remove " + manifest() + ": " + e.getMessage(), e);
        }
    }

    /** Where an imported run's weights came from ({@code seqrec import}). */
    public Path provenance() {
        return dir.resolve(PROVENANCE);
    }

    public Path config() {
        return dir.resolve(CONFIG);
    }

    public Path dataset() {
        return dir.resolve(DATASET);
    }

    public Path itemMap() {
        return dir.resolve(ITEM_MAP);
    }

    /** The user map of a run whose model reads user ids (absent for the others). */
    public Path userMap() {
        return dir.resolve(USER_MAP);
    }

    public Path model() {
        return dir.resolve(MODEL);
    }

    /** A sampled protocol's negatives as a file (given with {@code --negatives}, or drawn by runs before they were derived). */
    public Path negatives(Protocol p) {
        return dir.resolve("negatives-" + p.key() + ".txt");
    }

    /** The record of a sampled protocol's derived negatives ({@code seed}, {@code per_user}, {@code sha256} of the export). */
    public Path negativesRecord(Protocol p) {
        return dir.resolve("negatives-" + p.key() + ".json");
    }

    public Path results(Protocol p) {
        return dir.resolve("results-" + p.key() + ".json");
    }

    public Path results() {
        return dir.resolve(RESULTS);
    }

    public Path resultsMarkdown() {
        return dir.resolve(RESULTS_MARKDOWN);
    }

    public Path ranks(Protocol p) {
        return dir.resolve("ranks-" + p.key() + ".tsv");
    }

    public Path history() {
        return dir.resolve(HISTORY);
    }

    /** Every user's history in original ids, with the events appended since training ({@link HistoryStore}). */
    public Path histories() {
        return dir.resolve(HISTORIES);
    }

    public Path popularity() {
        return dir.resolve(POPULARITY);
    }

    public Path cost() {
        return dir.resolve(COST);
    }

    public Path manifest() {
        return dir.resolve(Manifest.FILE);
    }

    /**
     * The small files that describe a finished run, those that exist: config, dataset fingerprint, per-epoch history,
     * cost and the results of every protocol evaluated ({@code results-PROTOCOL.json}); not its weights, checkpoint,
     * negatives or histories. What a study keeps of a run, and all a report reads.
     */
    public List<Path> summaryFiles() {
        List<Path> files = new ArrayList<>();
        for (String name : List.of(CONFIG, DATASET, HISTORY, COST)) {
            if (Files.isRegularFile(dir.resolve(name))) {
                files.add(dir.resolve(name));
            }
        }
        try (var list = Files.list(dir)) {
            list.filter(f -> f.getFileName().toString().matches("results-[a-z0-9]+\\.json") && Files.isRegularFile(f)).sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new SeqrecException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    /** Whether a training checkpoint was committed (a killed run can continue with {@code --resume}). */
    public boolean hasCheckpoint() {
        return Files.isRegularFile(trainFiles().state());
    }

    /** Where training writes in this run. */
    public TrainFiles trainFiles() {
        return new TrainFiles(dir, dir.resolve(CHECKPOINT), model().resolve(NeuralSeqModel.WEIGHTS), history(), cost(),
                dir.resolve(PROFILE), dir.resolve(PROFILE_TRACE));
    }

    /** Refuses early what {@link #prepare} would refuse, before the directory is created or locked. */
    /** @param resumable whether the command can continue what is there ({@code --resume}: training) */
    static void checkCanCreate(Path out, boolean overwrite, boolean resumable) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new SeqrecException(out + " is a file, not a directory");
        }
        if (!overwrite && !isEmptyDir(out)) {
            throw new SeqrecException(out + " already exists and is not empty (use --overwrite to replace it"
                    + (resumable ? ", or --resume to continue it)" : ")"));
        }
    }


    /** Whether {@code dir} is missing or holds nothing but a lock file left by an earlier command. */
    private static boolean isEmptyDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (var list = Files.list(dir)) {
            return list.allMatch(p -> p.getFileName().toString().equals(RunLock.FILE));
        } catch (IOException e) {
            throw new SeqrecException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }


    /**
     * After a fresh run failed: if no epoch was committed, removes what it wrote (the directory too when
     * this command created it), so that the corrected command is not told the directory exists; a run
     * with a checkpoint is kept for {@code --resume}.
     */
    static void abandon(Path out, boolean created) {
        if (new RunDir(out).hasCheckpoint()) {
            LOG.warn("{} keeps its last checkpoint: continue it with the same command and --resume", out);
            return;
        }
        try (var walk = Files.walk(out)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(out) || created) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not remove the unfinished run {}: {}", out, e.getMessage());
        }
    }


    /** Empties {@code out} for a fresh run (the caller holds its lock, which stays). */
    static RunDir prepare(Path out, boolean overwrite) {
        try {
            if (!isEmptyDir(out)) {
                if (!overwrite) {
                    throw new SeqrecException(out + " already exists and is not empty (use --overwrite to replace it)");
                }
                if (!Files.isRegularFile(out.resolve(CONFIG))) {
                    throw new SeqrecException(out + " is not a seqrec run directory; refusing to overwrite it");
                }
                try (var walk = Files.walk(out)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        if (!p.equals(out) && !p.equals(out.resolve(RunLock.FILE))) {
                            Files.delete(p);
                        }
                    }
                }
            }
            Files.createDirectories(out.resolve(MODEL));
        } catch (IOException e) {
            throw new SeqrecException("cannot create run directory " + out + ": " + e.getMessage(), e);
        }
        return new RunDir(out);
    }
}
