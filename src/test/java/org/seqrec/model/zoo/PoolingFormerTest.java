package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Params;
import org.seqrec.train.Training;
import org.seqrec.util.SeqrecException;

/**
 * PoolingFormer's {@code local_mode=conv} reading: the first level is a causal depth-wise convolution of kernel
 * {@code local} over the input with padded steps zeroed (checked against the sum written out with plain arrays);
 * the default reading has no convolution weights, the conv reading no local attention; other modes are refused.
 */
class PoolingFormerTest {
    @Test
    void convReadingIsACausalDepthwiseConvolutionOfTheMaskedInput() {
        int b = 2;
        int len = 7;
        int d = 3;
        int k = 4;
        Engine.getInstance().setRandomSeed(21);
        try (NDManager m = NDManager.newBaseManager()) {
            Params params = new Params(m);
            PoolingFormer.PoolingAttention mixer = new PoolingFormer.PoolingAttention(params, "mix", d, 1, k, 2, 0f, true, len);
            float[] w = m.randomNormal(new Shape(d * k)).toFloatArray(); // [D, 1, K], oldest tap first
            float[] bias = m.randomNormal(new Shape(d)).toFloatArray();
            params.get("mix.local_conv.weight").set(w);
            params.get("mix.local_conv.bias").set(bias);
            float[] x = m.randomNormal(new Shape(b * len * d)).toFloatArray(); // padded steps hold values: they must be ignored
            float[] mask = {0, 0, 0, 1, 1, 1, 1, /* row 2 */ 0, 1, 1, 1, 1, 1, 1};
            float[] got = mixer.first(params.bind(m), m.create(x, new Shape(b, len, d)), m.create(mask, new Shape(b, len)), false)
                    .toFloatArray();
            for (int u = 0; u < b; u++) {
                for (int t = 0; t < len; t++) {
                    for (int c = 0; c < d; c++) {
                        double want = bias[c];
                        for (int j = 0; j < k; j++) {
                            int s = t - (k - 1) + j; // tap j reads step t - K + 1 + j; before step 0: zeros
                            if (s >= 0) {
                                want += w[c * k + j] * mask[u * len + s] * x[(u * len + s) * d + c];
                            }
                        }
                        assertThat((double) got[(u * len + t) * d + c]).as("row %d step %d channel %d", u, t, c)
                                .isCloseTo(want, Offset.offset(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void eachReadingHasItsOwnFirstLevelWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(build(m, "attention").params().all().keySet()).anyMatch(n -> n.contains(".local.")).noneMatch(n -> n.contains("local_conv"));
            assertThat(build(m, "conv").params().all().keySet()).anyMatch(n -> n.contains("local_conv")).noneMatch(n -> n.contains(".local."));
            assertThatThrownBy(() -> build(m, "pool")).isInstanceOf(SeqrecException.class).hasMessageContaining("attention or conv");
        }
    }

    private static org.seqrec.model.NeuralSeqModel build(NDManager m, String mode) {
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get("poolingformer");
        Map<String, Object> p = new LinkedHashMap<>(Training.defaults(spec));
        p.put("hidden", 8);
        p.put("max_len", 6);
        p.put("local", 3);
        p.put("local_mode", mode);
        return spec.build(m, 10, p);
    }
}
