package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.model.NeuralSeqModel;

/** GC-SAN: ω mixes the attention output and the graph state linearly (ω = 0: SR-GNN's local interest alone); padding takes no part. */
class GcSanTest {
    private static float[] rep(double weight, long[] ids) {
        return rep(weight, ids, 2, 6);
    }

    private static float[] rep(double weight, long[] ids, int rows, int width) {
        Engine.getInstance().setRandomSeed(4); // the same weights for every ω
        try (NDManager m = NDManager.newBaseManager()) {
            NeuralSeqModel model = new GcSan.Spec().build(m, 20, Map.of("hidden", 8, "max_len", 6, "inner", 16, "weight", weight));
            return model.encodeLast(model.params().bind(m), m.create(ids, new Shape(rows, width)), false).toFloatArray();
        }
    }

    @Test
    void omegaMixesTheAttentionOutputAndTheGraphState() {
        long[] ids = {0, 0, 3, 5, 3, 8, 1, 2, 3, 4, 5, 6};
        float[] zero = rep(0, ids);
        float[] one = rep(1, ids);
        float[] mixed = rep(0.6, ids);
        double apart = 0;
        for (int i = 0; i < zero.length; i++) {
            assertThat((double) mixed[i]).isCloseTo(0.6 * one[i] + 0.4 * zero[i], Offset.offset(1e-5));
            apart = Math.max(apart, Math.abs(one[i] - zero[i]));
        }
        assertThat(apart).as("the attention blocks change the state").isGreaterThan(1e-3);
        // padding takes no part: the history 3, 5, 3, 8 at width 6 (two padded) and at width 4 gives one state
        float[] padded = rep(0.6, new long[] {0, 0, 3, 5, 3, 8}, 1, 6);
        float[] cropped = rep(0.6, new long[] {3, 5, 3, 8}, 1, 4);
        assertThat(cropped).containsExactly(padded, Offset.offset(1e-5f));
    }
}
