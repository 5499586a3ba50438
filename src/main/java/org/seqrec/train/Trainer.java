package org.seqrec.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.eval.EvalResult;
import org.seqrec.eval.Evaluator;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Hashing;
import org.seqrec.util.Json;
import org.seqrec.util.Manifest;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop shared by every neural model: epochs of a {@link Regime}'s batches, Adam,
 * validation after each epoch, early stopping on the protocol's selection metric with patience,
 * the best epoch's weights restored at the end. After every epoch a checkpoint (weights, optimizer
 * state, early-stopping state) is committed so that {@code --resume} continues from the last
 * completed epoch and ends exactly as an uninterrupted run with the same seed: each epoch's
 * shuffling, negatives and dropout masks depend only on (seed, epoch).
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** What a checkpoint directory holds, listed in its manifest. */
    static final String CKPT_WEIGHTS = "weights.bin";
    static final String CKPT_ADAM = "adam.bin";
    static final String CKPT_HISTORY = "history.jsonl";
    static final List<String> CHECKPOINT_FILES = List.of(CKPT_WEIGHTS, CKPT_ADAM, CKPT_HISTORY);

    private final TrainContext ctx;
    private java.util.function.Consumer<JsonNode> epochListener = line -> { };
    private final TrainOptions options;
    private final float lr;
    private final float weightDecay;
    private final int batch;
    private final int epochs;
    private final int patience;
    private final int maxBatches;

    public Trainer(TrainContext ctx) {
        this.ctx = ctx;
        this.options = TrainOptions.from(ctx.params());
        this.lr = (float) options.lr();
        this.weightDecay = (float) options.weightDecay();
        this.batch = options.batch();
        this.epochs = options.epochs();
        this.patience = options.patience();
        this.maxBatches = options.maxBatches();
        if (ctx.validation() == null) {
            throw new IllegalArgumentException("training needs a validation evaluator");
        }
    }

    /**
     * {@code select=none}: no validation pass after an epoch; every epoch counts as the best, so the last one's weights are
     * kept and patience never stops training (timing runs, and catalogues where a full-ranking pass costs more than it tells).
     */
    public static final String NO_SELECTION = "none";

    /** Called with each epoch's history line after its checkpoint is committed (monitoring, tests). */
    public Trainer onEpoch(java.util.function.Consumer<JsonNode> listener) {
        this.epochListener = listener;
        return this;
    }

    /** Early-stopping state, committed with every checkpoint. */
    private static final class State {
        int epoch; // completed epochs
        double best = Double.NEGATIVE_INFINITY;
        int bestEpoch = -1;
        int bad;
        String checkpoint;
    }

    public void fit(NeuralSeqModel model, Regime regime) {
        LeaveOneOut split = ctx.split();
        Evaluator validation = ctx.validation();
        String metric = options.select() != null ? options.select() : validation.protocol().selectionMetric();
        boolean validate = !NO_SELECTION.equals(metric);
        if (validate && !org.seqrec.eval.RankMetrics.isMetric(metric)) {
            throw new SeqrecException("select: unknown metric '" + metric + "' (HR@k, NDCG@k, MRR@k or MRR)");
        }
        TrainFiles files = ctx.files();
        Path ckptDir = files.checkpoints();
        Path bestWeights = files.bestWeights();
        Adam adam = new Adam(model.params(), lr, weightDecay);
        State st = new State();
        List<String> history = new ArrayList<>();
        removeStaleTemporaries(files.dir()); // the run is locked: no other writer's temporary file is here
        if (ctx.resume() && Files.isRegularFile(files.state())) {
            restore(model, adam, st, history, ckptDir, regime.name());
            LOG.info("resuming after epoch {} (best {} = {} at epoch {})", st.epoch, metric, fmt(st.best), st.bestEpoch);
        }
        NDManager base = ctx.manager();
        ModelCost cost = ModelCost.measure(model, base);
        Json.write(files.cost(), cost);
        LOG.info("{}: {}", model.name(), cost.describe());
        LOG.info("{}: regime {}; {} users; batch {}, lr {}, at most {} epochs, patience {} on valid {}",
                model.name(), regime.name(), split.numUsers(), batch, lr, epochs, patience, metric);
        Engine engine = Engine.getInstance();
        while (st.epoch < epochs && st.bad < patience) {
            int epoch = st.epoch + 1;
            long t0 = System.nanoTime();
            engine.setRandomSeed((int) Hashing.mix64(ctx.seed() * 1_000_003L + epoch)); // dropout masks of this epoch
            Regime.Epoch data = regime.epoch(split, model.maxLen(), SplitMix64.forStream(ctx.seed(), epoch), epoch);
            SplitMix64 dropoutRng = SplitMix64.forStream(~ctx.seed(), epoch);
            double lossSum = 0;
            int batches = 0;
            int profileSteps = epoch == 1 ? options.profileSteps() : 0;
            long profileStart = 0;
            try (ProgressBar bar = Progress.bar("epoch " + epoch, data.size(), "samples")) {
                for (int from = 0; from < data.size() && (maxBatches <= 0 || batches < maxBatches); from += batch) {
                    int to = Math.min(data.size(), from + batch);
                    if (profileSteps > 0 && batches == 2) { // after two warm-up steps
                        Profiler.start();
                        profileStart = System.nanoTime();
                    }
                    try (NDManager m = base.newSubManager()) {
                        NDArray loss;
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            loss = data.loss(model, model.params().bind(m, dropoutRng), from, to, m);
                            gc.backward(loss);
                        }
                        float value = loss.getFloat();
                        if (!Float.isFinite(value)) { // stop before the update spoils the weights
                            throw new SeqrecException(String.format("%s diverged: loss %s at epoch %d, batch %d; the last"
                                    + " checkpoint is from epoch %d (try a lower --lr)", model.name(), value, epoch,
                                    batches + 1, epoch - 1));
                        }
                        adam.step(w -> regime.updates(model, w, epoch));
                        lossSum += value;
                    }
                    batches++;
                    if (profileSteps > 0 && batches == 2 + profileSteps) {
                        String md = Profiler.stop(ctx.files().profileTrace(), ctx.files().profile(), profileSteps,
                                (System.nanoTime() - profileStart) / 1e9);
                        LOG.info("profile of {} steps written to {}\n{}", profileSteps, ctx.files().profile(), md);
                        profileSteps = 0;
                    }
                    bar.stepTo(to);
                    bar.setExtraMessage(String.format(" loss %.4f", lossSum / batches));
                }
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            EvalResult valid = validate ? validation.evaluate(model, LeaveOneOut.Part.VALID, base) : null;
            double value = validate ? valid.metric(metric) : epoch; // select=none: the latest epoch is the one kept
            boolean improved = value > st.best;
            if (improved) {
                st.best = value;
                st.bestEpoch = epoch;
                st.bad = 0;
                model.params().save(bestWeights);
            } else {
                st.bad++;
            }
            st.epoch = epoch;
            double seconds = (System.nanoTime() - t0) / 1e9;
            ObjectNode line = Json.object();
            line.put("epoch", epoch);
            line.put("loss", lossSum / Math.max(1, batches));
            line.set("valid", Json.MAPPER.valueToTree(validate ? valid.metrics() : Map.of()));
            line.put("train_seconds", trainSeconds);
            line.put("regime", regime.name());
            line.put("batches", batches);
            line.put("epoch_batches", (data.size() + batch - 1) / batch);
            line.put("eval_seconds", validate ? valid.seconds() : 0.0);
            line.put("seconds", seconds);
            line.put("best_epoch", st.bestEpoch);
            long rss = PeakMemory.peakRssBytes();
            if (rss > 0) {
                line.put("peak_rss_mb", Math.round(rss / 1048576.0));
            }
            history.add(line.toString()); // Jackson's toString is compact: one line
            commit(model, adam, st, history, ckptDir);
            epochListener.accept(line);
            if (validate) {
                LOG.info(String.format("epoch %d/%d  loss %.4f  valid %s %.4f  HR@10 %.4f  NDCG@10 %.4f  %.1fs (train %.1fs)%s",
                        epoch, epochs, lossSum / Math.max(1, batches), metric, value, valid.metric("HR@10"), valid.metric("NDCG@10"), seconds,
                        trainSeconds, improved ? "  *best" : "  (" + st.bad + "/" + patience + ")"));
            } else {
                LOG.info(String.format("epoch %d/%d  loss %.4f  (select=none: not validated)  %.1fs", epoch, epochs,
                        lossSum / Math.max(1, batches), seconds));
            }
        }
        if (st.bad >= patience) {
            LOG.info("early stop after epoch {}: no better valid {} for {} epochs", st.epoch, metric, patience);
        }
        model.params().load(bestWeights);
        LOG.info("restored the best epoch, {} (valid {} {})", st.bestEpoch, metric, fmt(st.best));
    }

    /** Writes this epoch's checkpoint into its own directory, then state.json (the commit point), then prunes. */
    private void commit(NeuralSeqModel model, Adam adam, State st, List<String> history, Path ckptDir) {
        String name = "epoch-" + st.epoch;
        Path dir = ckptDir.resolve(name);
        model.params().save(dir.resolve(CKPT_WEIGHTS));
        adam.save(dir.resolve(CKPT_ADAM));
        String text = String.join("\n", history) + "\n";
        AtomicFiles.writeString(dir.resolve(CKPT_HISTORY), text);
        Manifest.write(dir, CHECKPOINT_FILES); // before state.json names this checkpoint
        st.checkpoint = name;
        ObjectNode s = Json.object();
        s.put("epoch", st.epoch);
        s.put("best", st.best);
        s.put("best_epoch", st.bestEpoch);
        s.put("bad_epochs", st.bad);
        s.put("checkpoint", name);
        Json.write(ctx.files().state(), s);
        AtomicFiles.writeString(ctx.files().history(), text);
        try (var list = Files.list(ckptDir)) {
            for (Path old : list.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().equals(name)).toList()) {
                deleteTree(old);
            }
        } catch (IOException e) {
            LOG.warn("could not prune old checkpoints in {}: {}", ckptDir, e.getMessage());
        }
    }

    /**
     * Restores the last committed epoch. Everything is checked before it is used: state.json's fields
     * and the checkpoint it names ({@code epoch-N} inside {@code checkpoint/}, nothing else), the
     * checkpoint's manifest, the weights' and optimizer's checksums and finiteness, and every history
     * line (a JSON object for epochs 1..N in order). A damaged checkpoint is refused with an error that
     * says how to start over.
     */
    private void restore(NeuralSeqModel model, Adam adam, State st, List<String> history, Path ckptDir, String regime) {
        Path stateFile = ctx.files().state();
        String restart = " (remove " + ckptDir + " to start this run over, or train into a new directory)";
        JsonNode s;
        try {
            s = Json.read(stateFile);
        } catch (SeqrecException e) {
            throw new SeqrecException("the checkpoint state " + stateFile + " is damaged: " + e.getMessage() + restart, e);
        }
        String name = s.path("checkpoint").asText("");
        if (!s.path("epoch").canConvertToInt() || s.path("epoch").asInt() < 1 || !name.equals("epoch-" + s.path("epoch").asInt())
                || !s.path("best").isNumber() || !s.path("best_epoch").canConvertToInt() || !s.path("bad_epochs").canConvertToInt()
                || s.path("bad_epochs").asInt() < 0 || s.path("best_epoch").asInt() > s.path("epoch").asInt()) {
            throw new SeqrecException("the checkpoint state " + stateFile + " is damaged or not seqrec's: " + s + restart);
        }
        st.epoch = s.path("epoch").asInt();
        st.best = s.path("best").asDouble();
        st.bestEpoch = s.path("best_epoch").asInt();
        st.bad = s.path("bad_epochs").asInt();
        Path dir = ckptDir.resolve(name);
        List<TrainingHistory.Line> lines;
        try {
            if (Manifest.verify(dir, "checkpoint").isEmpty()) {
                LOG.warn("checkpoint {} has no {} (written by an older seqrec): restored without its checksums", dir, Manifest.FILE);
            }
            model.params().load(dir.resolve(CKPT_WEIGHTS));
            adam.load(dir.resolve(CKPT_ADAM));
            lines = readHistory(dir.resolve(CKPT_HISTORY), st.epoch);
            history.addAll(lines.stream().map(TrainingHistory.Line::text).toList());
        } catch (SeqrecException e) {
            throw new SeqrecException("cannot resume: " + e.getMessage() + restart, e);
        }
        // a model's default regime may change between versions (LRURec: prefix-CE, then all-positions-CE); a resumed run
        // must not mix two regimes in one history
        String trained = lines.get(lines.size() - 1).node().path("regime").asText("");
        if (!trained.isEmpty() && !trained.equals(regime)) {
            throw new SeqrecException("cannot resume: the run trained in regime " + trained + " up to epoch " + st.epoch
                    + ", and this run's settings train in " + regime + " (set --param regime=" + trained
                    + " to finish it as it began)" + restart);
        }
    }

    /** The history lines of a checkpoint: exactly epochs 1..{@code epochs} ({@link TrainingHistory}). */
    private static List<TrainingHistory.Line> readHistory(Path file, int epochs) {
        List<TrainingHistory.Line> lines = TrainingHistory.read(file);
        if (lines.size() != epochs) {
            throw new SeqrecException(file + " has " + lines.size() + " epochs, the checkpoint " + epochs);
        }
        return lines;
    }

    /** Removes temporary files that a killed process left behind ({@link AtomicFiles} names them {@code .NAME.*.tmp}). */
    static void removeStaleTemporaries(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var walk = Files.walk(dir, 3)) {
            for (Path p : walk.filter(f -> {
                String n = f.getFileName().toString();
                return Files.isRegularFile(f) && n.startsWith(".") && n.endsWith(".tmp");
            }).toList()) {
                Files.deleteIfExists(p);
                LOG.info("removed {}, a temporary file left by an interrupted write", p);
            }
        } catch (IOException e) {
            LOG.warn("could not clean temporary files in {}: {}", dir, e.getMessage());
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private static String fmt(double v) {
        return String.format("%.4f", v);
    }
}
