package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.OwnLossModel;
import org.seqrec.nn.Params;
import org.seqrec.util.SeqrecException;

/**
 * CLEA: the encoder reads the kept items and skips the rest (checked against a GRU written out with plain arrays);
 * a candidate's score ignores what G drops for it; the straight-through estimator is what gives G a gradient from
 * the contrastive loss (the released code's hard selection gives none); the staged schedule and its temperature.
 */
class CleaTest {
    static final int N = 30;
    static final int L = 8;

    /** Marks G as trained (a generator epoch has run): ranking filters through it from then on. */
    static void markTrained(Clea model) {
        model.params().get("generator_trained").set(new ai.djl.ndarray.index.NDIndex(0), 1f);
        assertThat(model.generatorTrained()).isTrue();
    }

    static Clea build(NDManager m, Map<String, Object> extra) {
        Map<String, Object> p = new LinkedHashMap<>(new Clea.Spec().defaults());
        p.put("hidden", 8);
        p.put("max_len", L);
        p.putAll(extra);
        return (Clea) new Clea.Spec().build(m, N, p);
    }

    /** PyTorch's GRU cell (gates r, z, n in that row order) over the inputs {@code xs}, from a zero state, in doubles. */
    static double[] gru(float[] wih, float[] whh, float[] bih, float[] bhh, double[][] xs, int e) {
        double[] h = new double[e];
        for (double[] x : xs) {
            double[] gi = new double[3 * e];
            double[] gh = new double[3 * e];
            for (int r = 0; r < 3 * e; r++) {
                gi[r] = bih[r];
                gh[r] = bhh[r];
                for (int k = 0; k < e; k++) {
                    gi[r] += wih[r * e + k] * x[k];
                    gh[r] += whh[r * e + k] * h[k];
                }
            }
            double[] next = new double[e];
            for (int k = 0; k < e; k++) {
                double rg = 1 / (1 + Math.exp(-(gi[k] + gh[k])));
                double zg = 1 / (1 + Math.exp(-(gi[e + k] + gh[e + k])));
                double ng = Math.tanh(gi[2 * e + k] + rg * gh[2 * e + k]);
                next[k] = (1 - zg) * ng + zg * h[k];
            }
            h = next;
        }
        return h;
    }

    @Test
    void theEncoderReadsTheKeptItemsInOrderAndSkipsTheRest() {
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager()) {
            Clea model = build(m, Map.of());
            Params.Bound p = model.params().bind(m);
            long[] ids = {0, 0, 4, 9, 2, 17, 5, 11};
            float[] kept = {0, 0, 1, 0, 1, 1, 0, 1}; // keeps 4, 2, 17, 11
            NDArray idArr = m.create(ids, new Shape(1, L));
            NDArray x = embed(p, idArr);
            NDArray keptArr = m.create(kept, new Shape(1, L));
            float[] h = model.encode(p, x, keptArr, keptArr).toFloatArray();
            int e = 4;
            float[] table = model.params().get("items").toFloatArray();
            long[] keptItems = {4, 2, 17, 11};
            double[][] xs = new double[keptItems.length][e];
            for (int t = 0; t < keptItems.length; t++) {
                for (int k = 0; k < e; k++) {
                    xs[t][k] = table[(int) keptItems[t] * e + k];
                }
            }
            double[] expected = gru(model.params().get("gru.w_ih").toFloatArray(), model.params().get("gru.w_hh").toFloatArray(),
                    model.params().get("gru.b_ih").toFloatArray(), model.params().get("gru.b_hh").toFloatArray(), xs, e);
            for (int k = 0; k < e; k++) {
                assertThat((double) h[k]).as("state %d", k).isCloseTo(expected[k], Offset.offset(1e-5));
            }
            // nothing kept: the state after one zero input
            NDArray none = m.zeros(new Shape(1, L));
            float[] empty = model.encode(p, x, none, none).toFloatArray();
            double[] afterZero = gru(model.params().get("gru.w_ih").toFloatArray(), model.params().get("gru.w_hh").toFloatArray(),
                    model.params().get("gru.b_ih").toFloatArray(), model.params().get("gru.b_hh").toFloatArray(), new double[1][e], e);
            for (int k = 0; k < e; k++) {
                assertThat((double) empty[k]).isCloseTo(afterZero[k], Offset.offset(1e-5));
            }
        }
    }

    private static NDArray embed(Params.Bound p, NDArray ids) {
        return org.seqrec.nn.Nn.embedding(ids, p.get("items"));
    }

    @Test
    void aCandidatesScoreIgnoresTheItemsTheGeneratorDropsForIt() {
        Engine.getInstance().setRandomSeed(2);
        try (NDManager m = NDManager.newBaseManager()) {
            Clea model = build(m, Map.of());
            markTrained(model);
            Params.Bound p = model.params().bind(m);
            int[] history = {3, 8, 14, 21, 6, 27, 12};
            long[] padded = {0, 3, 8, 14, 21, 6, 27, 12};
            int checked = 0;
            int changed = 0;
            int dropped = 0;
            for (int c = 1; c <= N && checked < 40; c++) {
                NDArray idArr = m.create(padded, new Shape(1, L));
                NDArray kept = model.keptAtEvaluation(p, idArr, embed(p, idArr), m.create(new long[] {c}));
                float[] k = kept.toFloatArray();
                float full = score(m, model, history, c);
                for (int j = 1; j < L; j++) {
                    int[] without = new int[history.length - 1];
                    for (int a = 0, b = 0; a < history.length; a++) {
                        if (a != j - 1) {
                            without[b++] = history[a];
                        }
                    }
                    float s = score(m, model, without, c);
                    if (k[j] == 0f) {
                        dropped++;
                        assertThat(s).as("candidate %d without dropped item %d", c, history[j - 1]).isEqualTo(full);
                    } else if (s != full) {
                        changed++;
                    }
                    checked++;
                }
            }
            assertThat(checked).isGreaterThan(20);
            assertThat(dropped).as("G drops some items for some candidates").isGreaterThan(0);
            assertThat(changed).as("removing a kept item changes the score").isGreaterThan(0);
        }
    }

    /**
     * The reference: each pair on its own, {@code log D(h_pos(c))[c]} with G's evaluation selection for that pair, the
     * log-softmax written out over the items 1..n in doubles.
     */
    private static float[] scorePairs(NDManager m, Clea model, long[] ids, long[] cand) {
        Params.Bound p = model.params().bind(m);
        float[] out = new float[cand.length];
        for (int i = 0; i < cand.length; i++) {
            NDArray pid = m.create(java.util.Arrays.copyOfRange(ids, i * L, (i + 1) * L), new Shape(1, L));
            NDArray x = embed(p, pid);
            NDArray kept = model.keptAtEvaluation(p, pid, x, m.create(new long[] {cand[i]}));
            float[] logits = model.likelihoodLogits(p, model.encode(p, x, kept, kept), false).toFloatArray();
            double sum = 0;
            for (int j = 1; j <= N; j++) {
                sum += Math.exp(logits[j]);
            }
            out[i] = (float) (logits[(int) cand[i]] - Math.log(sum));
        }
        return out;
    }

    @Test
    void scoringOncePerDistinctKeptSetGivesEveryPairsOwnScore() {
        Engine.getInstance().setRandomSeed(6);
        try (NDManager m = NDManager.newBaseManager()) {
            Clea model = build(m, Map.of());
            markTrained(model);
            long[] histories = {0, 3, 8, 14, 21, 6, 27, 12, 0, 0, 0, 0, 0, 5, 9, 2, 1, 2, 3, 4, 5, 6, 7, 8};
            int c = 12;
            long[] ids = new long[3 * c * L];
            long[] cand = new long[3 * c];
            for (int u = 0; u < 3; u++) {
                for (int k = 0; k < c; k++) {
                    System.arraycopy(histories, u * L, ids, (u * c + k) * L, L);
                    cand[u * c + k] = 1 + (7L * k + 3L * u) % N;
                }
            }
            float[] each = scorePairs(m, model, ids, cand);
            NDArray users = m.create(histories, new Shape(3, L));
            NDArray candidates = m.create(cand, new Shape(3, c));
            assertThat(model.scoreDistinct(users, candidates, m).toFloatArray()).containsExactly(each, Offset.offset(1e-5f));
            model.pairsPerPass(5); // one user a pass
            assertThat(model.scoreDistinct(users, candidates, m).toFloatArray()).containsExactly(each, Offset.offset(1e-5f));
            model.pairsPerPass(1 << 13).logitsPerPass(2L * (N + 1)); // two distinct kept sets a pass
            assertThat(model.scoreDistinct(users, candidates, m).toFloatArray()).containsExactly(each, Offset.offset(1e-5f));
        }
    }

    /** log D(h_anchor)[c] written out from D's logits of the anchor state: the score with G off. */
    private static float[] anchorScores(NDManager m, Clea model, long[] history, long[] candidates) {
        Params.Bound p = model.params().bind(m);
        float[] logits = model.scoreItemRange(p, model.encodeLast(p, m.create(history, new Shape(1, L)), false), 0, N + 1).toFloatArray();
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 1; i <= N; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 1; i <= N; i++) {
            sum += Math.exp(logits[i] - max);
        }
        float[] out = new float[candidates.length];
        for (int k = 0; k < candidates.length; k++) {
            out[k] = (float) (logits[(int) candidates[k]] - max - Math.log(sum));
        }
        return out;
    }

    @Test
    void rankingReadsTheAnchorUntilTheGeneratorHasTrainedAndWhenItKeepsEverything() {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            Clea model = build(m, Map.of());
            long[] history = {0, 3, 8, 14, 21, 6, 27, 12};
            long[] cand = {1, 5, 9, 13, 17, 21, 25, 29};
            HistoryBatch batch = HistoryBatch.ofHistories(new int[][] {{3, 8, 14, 21, 6, 27, 12}});
            float[] anchor = anchorScores(m, model, history, cand);
            assertThat(model.generatorTrained()).isFalse();
            assertThat(model.scoreCandidates(batch, m.create(cand, new Shape(1, cand.length)), m).toFloatArray())
                    .as("G untrained: the anchor").containsExactly(anchor, Offset.offset(1e-5f));
            // two users at once: each reads its own history's anchor
            long[] other = {0, 0, 0, 0, 5, 9, 2, 30};
            HistoryBatch two = HistoryBatch.ofHistories(new int[][] {{5, 9, 2, 30}, {3, 8, 14, 21, 6, 27, 12}});
            long[] both = new long[2 * cand.length];
            System.arraycopy(cand, 0, both, 0, cand.length);
            System.arraycopy(cand, 0, both, cand.length, cand.length);
            float[] expected = new float[2 * cand.length];
            System.arraycopy(anchorScores(m, model, other, cand), 0, expected, 0, cand.length);
            System.arraycopy(anchor, 0, expected, cand.length, cand.length);
            assertThat(model.scoreCandidates(two, m.create(both, new Shape(2, cand.length)), m).toFloatArray())
                    .containsExactly(expected, Offset.offset(1e-5f));
            markTrained(model);
            assertThat(model.scoreCandidates(batch, m.create(cand, new Shape(1, cand.length)), m).toFloatArray())
                    .as("G trained (at random): filtered").isNotEqualTo(anchor);
            // G's output bias set to keep every item: the filtered history is the whole one
            model.params().get("generator.mlp.3.bias").set(new ai.djl.ndarray.index.NDIndex(0), 50f);
            model.params().get("generator.mlp.3.bias").set(new ai.djl.ndarray.index.NDIndex(1), -50f);
            assertThat(model.scoreCandidates(batch, m.create(cand, new Shape(1, cand.length)), m).toFloatArray())
                    .as("G keeps everything").containsExactly(anchor, Offset.offset(1e-5f));
        }
    }

    private static float score(NDManager m, Clea model, int[] history, int candidate) {
        try (NDManager s = m.newSubManager()) {
            return model.scoreCandidates(HistoryBatch.ofHistories(new int[][] {history}), s.create(new long[] {candidate}, new Shape(1, 1)), s)
                    .getFloat(0, 0);
        }
    }

    /** Whether the generator's weights get a gradient from the contrastive terms alone (the hinge switched off). */
    private static double generatorGradient(boolean straightThrough) {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Clea model = build(m, Map.of("straight_through", straightThrough, "pos_margin", 0.0, "neg_margin", 1.0,
                    "dropout", 0.0, "pretrain_epochs", 1));
            NDArray ids = m.create(new long[] {0, 0, 4, 9, 2, 17, 5, 11, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 30, 29, 28, 27}, new Shape(3, L));
            NDArray targets = m.create(new long[] {13, 9, 26});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Params.Bound p = model.params().bind(m, new org.seqrec.data.SplitMix64(5));
                NDArray loss = model.loss(p, ids, targets, new OwnLossModel.Step(2, 10, 10)); // a generator epoch
                gc.backward(loss);
            }
            double sum = 0;
            for (String w : model.params().all().keySet()) {
                if (w.startsWith(Clea.GENERATOR)) {
                    for (float g : model.params().get(w).getGradient().toFloatArray()) {
                        sum += Math.abs(g);
                    }
                }
            }
            return sum;
        }
    }

    /** CLEA's loss of one batch at epoch {@code epoch}, with the same Gumbel draws whatever the epoch. */
    private static float lossAt(NDManager m, Clea model, NDArray ids, NDArray targets, int epoch) {
        Params.Bound p = model.params().bind(m, new org.seqrec.data.SplitMix64(9));
        return model.loss(p, ids, targets, new OwnLossModel.Step(epoch, 0, 10)).getFloat();
    }

    @Test
    void anEncoderEpochsLossIsAGeneratorEpochsPlusTheAnchorsCrossEntropy() {
        Engine.getInstance().setRandomSeed(8);
        try (NDManager m = NDManager.newBaseManager()) {
            // τ fixed (tau = tau_min) so that the two phases draw the same selection; no dropout
            Clea model = build(m, Map.of("pretrain_epochs", 1, "generator_epochs", 1, "encoder_epochs", 1, "tau", 0.3,
                    "dropout", 0.0));
            NDArray ids = m.create(new long[] {0, 0, 4, 9, 2, 17, 5, 11, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 30, 29, 28, 27}, new Shape(3, L));
            NDArray targets = m.create(new long[] {13, 9, 26});
            float pretrain = lossAt(m, model, ids, targets, 1);
            // pretraining: the anchor's softmax cross-entropy, written out from D's logits
            Params.Bound p = model.params().bind(m);
            float[] logits = model.scoreItemRange(p, model.encodeLast(p, ids, false), 0, N + 1).toFloatArray();
            long[] t = {13, 9, 26};
            double ce = 0;
            for (int b = 0; b < 3; b++) {
                double sum = 0;
                for (int i = 1; i <= N; i++) {
                    sum += Math.exp(logits[b * (N + 1) + i]);
                }
                ce += Math.log(sum) - logits[b * (N + 1) + (int) t[b]];
            }
            assertThat((double) pretrain).isCloseTo(ce / 3, Offset.offset(1e-4));
            float generator = lossAt(m, model, ids, targets, 2);
            float encoder = lossAt(m, model, ids, targets, 3);
            assertThat(encoder - generator).isCloseTo(pretrain, Offset.offset(1e-4f));
        }
    }

    @Test
    void theStraightThroughEstimatorIsWhatGivesTheGeneratorAGradient() {
        assertThat(generatorGradient(true)).isGreaterThan(1e-6);
        assertThat(generatorGradient(false)).as("hard selection, weights cancel: the released code's G learns only from the hinge").isZero();
    }

    @Test
    void stagesAlternateAndEachUpdatesItsOwnWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            Clea model = build(m, Map.of("pretrain_epochs", 2, "generator_epochs", 3, "encoder_epochs", 2));
            String[] expected = {"PRETRAIN", "PRETRAIN", "GENERATOR", "GENERATOR", "GENERATOR", "ENCODER", "ENCODER", "GENERATOR",
                "GENERATOR", "GENERATOR", "ENCODER", "ENCODER", "GENERATOR"};
            for (int epoch = 1; epoch <= expected.length; epoch++) {
                assertThat(model.phase(epoch).name()).as("epoch %d", epoch).isEqualTo(expected[epoch - 1]);
                boolean generator = expected[epoch - 1].equals("GENERATOR");
                assertThat(model.updates("generator.mlp.0.weight", epoch)).isEqualTo(generator);
                assertThat(model.updates("items", epoch)).isEqualTo(!generator);
                assertThat(model.updates("likelihood.fc1.weight", epoch)).isEqualTo(!generator);
                assertThat(model.updates("gru.w_ih", epoch)).isEqualTo(!generator);
            }
            // τ = max(0.3, 10 exp(-1e-4 t)), t counted from stage 2's first batch (2 epochs of 100 batches before it)
            assertThat(model.temperature(new OwnLossModel.Step(3, 200, 100))).isCloseTo(10f, Offset.offset(1e-5f));
            assertThat(model.temperature(new OwnLossModel.Step(4, 200 + 10_000, 100))).isCloseTo((float) (10 * Math.exp(-1)), Offset.offset(1e-4f));
            assertThat(model.temperature(new OwnLossModel.Step(5, 200 + 100_000, 100))).isEqualTo(0.3f);
            assertThat(model.temperature(new OwnLossModel.Step(6, 500, 100))).as("encoder epochs").isEqualTo(0.3f);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> build(m, Map.of("generator_epochs", 0, "encoder_epochs", 0))).isInstanceOf(SeqrecException.class);
            assertThatThrownBy(() -> build(m, Map.of("pretrain_epochs", -1))).isInstanceOf(SeqrecException.class);
            assertThatThrownBy(() -> build(m, Map.of("tau_decay", -1e-4))).isInstanceOf(SeqrecException.class);
            assertThatThrownBy(() -> build(m, Map.of("tau", 0.0))).isInstanceOf(SeqrecException.class);
            assertThatThrownBy(() -> build(m, Map.of("regime", "prefix-CE"))).isInstanceOf(SeqrecException.class);
            // the smallest settings that train something are accepted: no pretraining, no generator, no decay
            assertThat(build(m, Map.of("pretrain_epochs", 0, "generator_epochs", 0, "encoder_epochs", 1, "tau_decay", 0.0))
                    .phase(1)).isEqualTo(Clea.Phase.ENCODER);
        }
    }
}
