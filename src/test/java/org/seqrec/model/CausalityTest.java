package org.seqrec.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrec.model.zoo.Bert4Rec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.train.Training;

/** Causal models see no future item; BERT4Rec sees both sides and predicts at an appended mask. */
class CausalityTest {
    private static NeuralSeqModel build(NDManager m, String name) {
        Map<String, Object> p = new LinkedHashMap<>(Training.defaults(ModelRegistry.get(name)));
        p.put("hidden", 16);
        p.put("max_len", 8);
        return ((NeuralSpec) ModelRegistry.get(name)).build(m, 30, p);
    }

    /** States of two inputs that agree on positions 0..4 and differ afterwards: {@code [2, L, D]}. */
    private static NDArray states(NDManager m, NeuralSeqModel model) {
        NDArray ids = m.create(new long[] {0, 3, 5, 7, 9, 11, 13, 15, 0, 3, 5, 7, 9, 21, 22, 23}, new Shape(2, 8));
        return model.encodeAll(model.params().bind(m), ids, false);
    }

    /** Every model the every-position regimes accept ({@link NeuralSpec#trainsEveryPosition}) and only those here. */
    static java.util.List<String> causalModels() {
        return java.util.stream.StreamSupport.stream(ModelRegistry.names().spliterator(), false).filter(n -> ModelRegistry.get(n) instanceof NeuralSpec s
                && s.trainsEveryPosition(Training.defaults(s))).toList();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("causalModels")
    void statesOfModelsTrainedAtEveryPositionDoNotDependOnLaterItems(String name) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            NDArray s = states(m, build(m, name));
            assertThat(s.get(0).get(new NDIndex("1:5, :")).toFloatArray())
                    .as(name).containsExactly(s.get(1).get(new NDIndex("1:5, :")).toFloatArray(), org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(s.get(0).get(new NDIndex("5:, :")).toFloatArray()).as(name)
                    .isNotEqualTo(s.get(1).get(new NDIndex("5:, :")).toFloatArray());
        }
    }

    @Test
    void theCausalModelsAreTheOnesKnownToBe() {
        assertThat(causalModels()).containsExactlyInAnyOrder("sasrec", "gru4rec", "nextitnet", "lrurec", "mamba4rec");
    }

    @Test
    void bert4recIsBidirectionalAndScoresAtAnAppendedMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            Bert4Rec model = (Bert4Rec) build(m, "bert4rec");
            NDArray s = states(m, model);
            assertThat(s.get(0).get(new NDIndex("1:5, :")).toFloatArray())
                    .isNotEqualTo(s.get(1).get(new NDIndex("1:5, :")).toFloatArray()); // later items reach earlier positions
            int[] history = {4, 8, 15, 16, 23, 12, 7, 9, 10}; // longer than L: the last L-1 are kept
            NDArray all = model.scoreAll(HistoryBatch.ofHistories(new int[][] {history}), m);
            // the last L-1 = 7 items, then the mask token
            NDArray ids = m.create(new long[] {15, 16, 23, 12, 7, 9, 10, model.maskToken()}, new Shape(1, 8));
            NDArray rep = model.encodeLast(model.params().bind(m), ids, false);
            assertThat(all.toFloatArray()).containsExactly(model.scoreAllItems(model.params().bind(m), rep).toFloatArray(),
                    org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(all.getShape().get(1)).isEqualTo(31); // items 0..n, not the mask token
        }
    }
}
