package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ModelRegistry;

/** Weights and MACs per sequence counted from the engine's trace, against the layer formulas. */
class ModelCostTest {
    static final int N = 30;
    static final int L = 8;
    static final int D = 16;

    static ModelCost cost(String name, Object... kv) {
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get(name);
        Map<String, Object> p = new LinkedHashMap<>(Training.defaults(spec));
        p.put("hidden", D);
        p.put("max_len", L);
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NeuralSeqModel model = spec.build(m, N, p);
            return ModelCost.measure(model, m);
        }
    }

    @Test
    void sasRecCountsItsProjectionsAttentionAndFeedForward() {
        ModelCost c = cost("sasrec", "layers", 2, "heads", 2);
        // per block: Q, K, V, out (4 L D^2), Q K^T and A V (2 L^2 D), the D -> D -> D FFN (2 L D^2)
        long perBlock = 6L * L * D * D + 2L * L * L * D;
        assertThat(c.encoderMacs()).isEqualTo(2 * perBlock);
        assertThat(c.scoringMacs()).isEqualTo((N + 1L) * D);
        assertThat(c.maxLen()).isEqualTo(L);
    }

    @Test
    void adaMctCountsBothBranchesTheSqueezeExcitationAndTheMixture() {
        int k = 3;
        int r = 2;
        ModelCost c = cost("adamct", "layers", 2, "heads", 2, "kernel", k, "reduction", r);
        long perLayer = (long) L * D * D // entry Linear
                + 4L * L * D * D + 2L * L * L * D // attention
                + (long) L * k * D * D // local convolution D -> D
                + 2 * 2L * L * (L / r) // two SE units, L -> L/r -> L
                + D // mixture Linear D -> 1
                + (long) L * D * D; // output Linear
        assertThat(c.encoderMacs()).isEqualTo(2 * perLayer);
        // weights: the embeddings and LayerNorm, then per layer every named weight
        long embeddings = (N + 1L) * D + (long) L * D + 2L * D;
        long perLayerWeights = (D * D + D) + 2 * D // entry Linear, LN
                + 4 * (D * D + D) + 2 * D // attention, LN
                + (D * D * k + D) + 2 * D // convolution, LN
                + 2 * ((long) L * (L / r) + L / r + (long) (L / r) * L + L) // SE
                + (D + 1) // mixture
                + (D * D + D) + 2 * D; // output Linear, LN
        assertThat(c.params()).isEqualTo(embeddings + 2 * perLayerWeights);
    }
}
