package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;

/** The prefix-CE regime: its samples and its loss against values computed by hand. */
class PrefixCeRegimeTest {
    static final int L = 3;
    static final int D = 2;
    static final int ITEMS = 4;
    /** Fixed item embeddings (row 0 = padding). */
    static final float[][] E = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {-1, 0.5f}};

    /** A model whose representation is the embedding of the last input item (zero for an empty input). */
    static final class LastItem extends NeuralSeqModel {
        final List<long[]> inputs = new ArrayList<>();

        LastItem(NDManager m) {
            super(m, ITEMS, L);
            float[] flat = new float[E.length * D];
            for (int i = 0; i < E.length; i++) {
                System.arraycopy(E[i], 0, flat, i * D, D);
            }
            params.zeros("item_emb", new Shape(E.length, D));
            params.get("item_emb").set(flat);
        }

        @Override
        public String name() {
            return "last-item";
        }

        @Override
        protected String itemTable() {
            return "item_emb";
        }

        @Override
        public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
            long[] flat = ids.toLongArray();
            for (int r = 0; r < flat.length / L; r++) {
                inputs.add(java.util.Arrays.copyOfRange(flat, r * L, r * L + L));
            }
            return itemEmbeddings(p, ids.get(":, -1"));
        }
    }

    @Test
    void samplesAreEveryTrainingItemButTheFirstWithItsLastLItemsAndTheLossIsSoftmaxCrossEntropy() {
        // one user: s = 1 2 3 4 1 2 -> training part t = 1 2 3 4 (the last two items are validation and test)
        Dataset data = new Dataset("tiny", List.of("u"), List.of(new int[] {1, 2, 3, 4, 1, 2}), ITEMS, null, null);
        LeaveOneOut split = new LeaveOneOut(data);
        try (NDManager m = NDManager.newBaseManager()) {
            LastItem model = new LastItem(m);
            Regime.Epoch epoch = new PrefixCeRegime().epoch(split, L, new SplitMix64(1));
            assertThat(epoch.size()).isEqualTo(3);
            float loss = epoch.loss(model, model.params().bind(m), 0, 3, m).getFloat();
            // the three samples in some order: (0 0 1 -> 2), (0 1 2 -> 3), (1 2 3 -> 4)
            Map<String, Integer> seen = new HashMap<>();
            for (long[] in : model.inputs) {
                seen.put(java.util.Arrays.toString(in), (int) in[L - 1]);
            }
            assertThat(seen).containsOnlyKeys("[0, 0, 1]", "[0, 1, 2]", "[1, 2, 3]");
            double expected = (ce(1, 2) + ce(2, 3) + ce(3, 4)) / 3;
            assertThat((double) loss).isCloseTo(expected, offset(1e-5));
        }
    }

    /** -log softmax over items 1..n of the scores E[last] . E[i], at the target. */
    static double ce(int last, int target) {
        double[] logits = new double[ITEMS + 1];
        double norm = 0;
        for (int i = 1; i <= ITEMS; i++) {
            logits[i] = E[last][0] * E[i][0] + E[last][1] * E[i][1];
            norm += Math.exp(logits[i]);
        }
        return Math.log(norm) - logits[target];
    }

    @Test
    void crossEntropyIsOverItemsOneToNAndStableForLargeScores() {
        try (NDManager m = NDManager.newBaseManager()) {
            LastItem model = new LastItem(m);
            // representations (1, 0) and (300, -200): scores E[i] . rep over items 1..4
            NDArray rep = m.create(new float[] {1, 0, 300, -200}, new Shape(2, D));
            NDArray targets = m.create(new long[] {3, 1});
            double expected = (lossOf(new double[] {1, 0}, 3) + lossOf(new double[] {300, -200}, 1)) / 2;
            float loss = PrefixCeRegime.crossEntropy(model, model.params().bind(m), rep, targets).getFloat();
            assertThat(Float.isFinite(loss)).isTrue();
            assertThat((double) loss).isCloseTo(expected, offset(1e-3));
        }
    }

    /** -log softmax over items 1..n of E[i] . rep, at the target, in double precision. */
    static double lossOf(double[] rep, int target) {
        double[] logits = new double[ITEMS + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 1; i <= ITEMS; i++) {
            logits[i] = E[i][0] * rep[0] + E[i][1] * rep[1];
            max = Math.max(max, logits[i]);
        }
        double norm = 0;
        for (int i = 1; i <= ITEMS; i++) {
            norm += Math.exp(logits[i] - max);
        }
        return max + Math.log(norm) - logits[target];
    }
}
