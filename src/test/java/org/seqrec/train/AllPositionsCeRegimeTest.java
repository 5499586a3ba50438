package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.nn.Params;

/**
 * The all-positions-CE regime: its loss against values computed by hand, and, for a causal model with no positional
 * input (LRURec), equal to the prefix-CE regime's loss over the same targets, one encoder pass per user against one
 * per prefix.
 */
class AllPositionsCeRegimeTest {
    static final int L = PrefixCeRegimeTest.L;

    /** Every position's state is the embedding of its input item (zero for padding): a causal model. */
    static final class EachItem extends NeuralSeqModel {
        final List<long[]> inputs = new ArrayList<>();
        final PrefixCeRegimeTest.LastItem table;

        EachItem(NDManager m) {
            super(m, PrefixCeRegimeTest.ITEMS, L);
            this.table = new PrefixCeRegimeTest.LastItem(m);
            params.zeros("item_emb", table.params().get("item_emb").getShape());
            params.get("item_emb").set(table.params().get("item_emb").toFloatArray());
        }

        @Override
        public String name() {
            return "each-item";
        }

        @Override
        protected String itemTable() {
            return "item_emb";
        }

        @Override
        public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
            long[] flat = ids.toLongArray();
            for (int r = 0; r < flat.length / L; r++) {
                inputs.add(java.util.Arrays.copyOfRange(flat, r * L, r * L + L));
            }
            return itemEmbeddings(p, ids);
        }
    }

    @Test
    void everyRealPositionPredictsTheNextItemUnderSoftmaxCrossEntropyAveragedOverRealPositions() {
        // training parts (the last two items of each sequence are validation and test):
        //   a: 1 2 3 4   -> inputs 1 2 3,  targets 2 3 4
        //   b: 2 4       -> inputs 0 0 2,  target 4 at the last position only
        //   c: 1 2 3 4 1 -> the last L = 3 inputs 2 3 4, targets 3 4 1 (t[0] = 1 is left out: it is no one's target
        //                   within the window)
        //   d: 3         -> no pair: not sampled
        Dataset data = new Dataset("tiny", List.of("a", "b", "c", "d"),
                List.of(new int[] {1, 2, 3, 4, 1, 2}, new int[] {2, 4, 1, 3}, new int[] {1, 2, 3, 4, 1, 2, 3},
                        new int[] {3, 1, 2}),
                PrefixCeRegimeTest.ITEMS, null, null);
        LeaveOneOut split = new LeaveOneOut(data);
        try (NDManager m = NDManager.newBaseManager()) {
            EachItem model = new EachItem(m);
            Regime.Epoch epoch = new AllPositionsCeRegime().epoch(split, L, new SplitMix64(3));
            assertThat(epoch.size()).isEqualTo(3);
            float loss = epoch.loss(model, model.params().bind(m), 0, 3, m).getFloat();
            Map<String, Boolean> seen = new HashMap<>();
            for (long[] in : model.inputs) {
                seen.put(java.util.Arrays.toString(in), true);
            }
            assertThat(seen).containsOnlyKeys("[1, 2, 3]", "[0, 0, 2]", "[2, 3, 4]");
            double ce = PrefixCeRegimeTest.ce(1, 2) + PrefixCeRegimeTest.ce(2, 3) + PrefixCeRegimeTest.ce(3, 4) // a
                    + PrefixCeRegimeTest.ce(2, 4) // b
                    + PrefixCeRegimeTest.ce(2, 3) + PrefixCeRegimeTest.ce(3, 4) + PrefixCeRegimeTest.ce(4, 1); // c
            assertThat((double) loss).isCloseTo(ce / 7, offset(1e-5));
        }
    }

    @Test
    void aBatchAnywhereInTheEpochIsTheMeanOverItsUsersRealPositionsAndTheOrderIsShuffled() {
        Dataset data = new Dataset("tiny", List.of("a", "b", "c"),
                List.of(new int[] {1, 2, 3, 4, 1, 2}, new int[] {2, 4, 1, 3}, new int[] {1, 2, 3, 4, 1, 2, 3}),
                PrefixCeRegimeTest.ITEMS, null, null);
        LeaveOneOut split = new LeaveOneOut(data);
        try (NDManager m = NDManager.newBaseManager()) {
            EachItem model = new EachItem(m);
            Params.Bound p = model.params().bind(m);
            // a seed that puts user b (one real position) in the tail batch [1, 3), beside a user with three: the mean over
            // positions then differs from the mean over users
            long seed = 1;
            while (!new AllPositionsCeRegime().epoch(split, L, new SplitMix64(seed)).describe(0).startsWith("user 0")) {
                seed++;
            }
            Regime.Epoch epoch = new AllPositionsCeRegime().epoch(split, L, new SplitMix64(seed));
            double[] single = new double[3];
            int[] real = new int[3];
            for (int i = 0; i < 3; i++) {
                single[i] = epoch.loss(model, p, i, i + 1, m).getFloat();
                real[i] = (int) java.util.Arrays.stream(model.inputs.get(model.inputs.size() - 1)).filter(x -> x != 0).count();
            }
            assertThat(real[0]).isEqualTo(3);
            assertThat(new int[] {real[1], real[2]}).containsExactlyInAnyOrder(1, 3);
            double tail = epoch.loss(model, p, 1, 3, m).getFloat();
            assertThat(model.inputs.get(model.inputs.size() - 1)).isEqualTo(model.inputs.get(2)); // the batch's last user
            assertThat(tail).isCloseTo((single[1] * real[1] + single[2] * real[2]) / (real[1] + real[2]), offset(1e-5));
        }
        java.util.Set<String> orders = new java.util.HashSet<>();
        for (long seed = 1; seed <= 12; seed++) {
            Regime.Epoch epoch = new AllPositionsCeRegime().epoch(split, L, new SplitMix64(seed));
            List<String> users = new ArrayList<>();
            for (int i = 0; i < epoch.size(); i++) {
                users.add(epoch.describe(i).split(",")[0]);
            }
            assertThat(users).containsExactlyInAnyOrder("user 0", "user 1", "user 2");
            orders.add(users.toString());
        }
        assertThat(orders).hasSizeGreaterThan(1);
    }

    @Test
    void forLruRecItEqualsThePrefixCeLossOverTheSameTargets() {
        // every training part fits in L = 8, so both regimes train the same (prefix, target) pairs; LRURec's state at a
        // position depends only on the items up to it (padding carries no input), so both give the same mean loss
        int maxLen = 8;
        Dataset data = new Dataset("tiny", List.of("a", "b", "c"),
                List.of(new int[] {1, 5, 3, 4, 2, 6, 1}, new int[] {2, 6, 4, 1}, new int[] {6, 6, 2, 3, 5, 1, 2, 4, 3, 5}),
                6, null, null);
        LeaveOneOut split = new LeaveOneOut(data);
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get("lrurec");
        Map<String, Object> params = new HashMap<>(Training.defaults(spec));
        params.put("hidden", 8);
        params.put("max_len", maxLen);
        params.put("dropout", 0.0);
        assertThat(spec.trainingObjective(params)).isInstanceOf(Objective.AllPositionsCe.class);
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(11);
            NeuralSeqModel model = spec.build(m, 6, params);
            Params.Bound p = model.params().bind(m);
            Regime.Epoch all = new AllPositionsCeRegime().epoch(split, maxLen, new SplitMix64(1));
            Regime.Epoch prefixes = new PrefixCeRegime().epoch(split, maxLen, new SplitMix64(1));
            assertThat(all.size()).isEqualTo(3);
            assertThat(prefixes.size()).isEqualTo(4 + 1 + 7);
            double a;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = all.loss(model, p, 0, all.size(), m);
                a = loss.getFloat();
                gc.backward(loss);
            }
            double b = prefixes.loss(model, p, 0, prefixes.size(), m).getFloat();
            assertThat(a).isCloseTo(b, offset(1e-5));
            // the loss reaches the recurrence and the FFN through the gathered states, not only the item table
            for (String w : List.of("model.lru_blocks.0.lru_layer.params_log", "model.lru_blocks.1.feed_forward.w_1.weight")) {
                float[] g = model.params().get(w).getGradient().toFloatArray();
                double norm = 0;
                for (float x : g) {
                    norm += Math.abs(x);
                }
                assertThat(norm).as("gradient of %s", w).isGreaterThan(0);
            }
        }
    }

    @Test
    void onlyModelsTrainedAtEveryPositionTakeTheEveryPositionRegimes() {
        NeuralSpec sasrec = (NeuralSpec) ModelRegistry.get("sasrec");
        assertThat(sasrec.trainingObjective(Map.of("regime", "all-positions-CE"))).isInstanceOf(Objective.AllPositionsCe.class);
        NeuralSpec lrurec = (NeuralSpec) ModelRegistry.get("lrurec");
        assertThat(lrurec.trainingObjective(Map.of("regime", "all-positions"))).isInstanceOf(Objective.AllPositions.class);
        NeuralSpec mamba = (NeuralSpec) ModelRegistry.get("mamba4rec"); // its own: prefix-CE; declared causal
        assertThat(mamba.trainingObjective(Map.of())).isInstanceOf(Objective.PrefixCe.class);
        assertThat(mamba.trainingObjective(Map.of("regime", "all-positions-CE"))).isInstanceOf(Objective.AllPositionsCe.class);
        NeuralSpec convformer = (NeuralSpec) ModelRegistry.get("convformer");
        assertThatThrownBy(() -> convformer.trainingObjective(Map.of("regime", "all-positions-CE")))
                .hasMessageContaining("is not causal");
        assertThat(Training.regime(new Objective.AllPositionsCe()).name()).isEqualTo("all-positions-CE");
    }
}
