package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.nn.Params;

/** L-Mixer: the affine mixer against a loop over its definition, padding left out, cropping exact, order-sensitive. */
class LMixerTest {
    static NDManager manager;

    @BeforeAll
    static void init() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(5);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** {@code Y[b, t, c] = Σ_s W[(c,) t, s] · X[b, s, c] · mask[b, s] + bias[t]}, by loops over the definition. */
    @Test
    void theMixerIsTheAffineMapAlongTimeWithPaddingLeftOut() {
        for (boolean perChannel : new boolean[] {false, true}) {
            try (NDManager m = manager.newSubManager()) {
                int b = 2;
                int len = 5;
                int d = 3;
                Params params = new Params(m);
                LMixer.AffineMixer mixer = new LMixer.AffineMixer(params, "mix", len, d, perChannel);
                Params.write(params.get("mix.bias"), new float[] {0.1f, -0.2f, 0.3f, 0.05f, -0.4f}, m);
                float[] w = params.get("mix.weight").toFloatArray();
                NDArray x = m.randomNormal(new Shape(b, len, d));
                float[] xs = x.toFloatArray();
                float[] mask = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
                float[] bias = {0.1f, -0.2f, 0.3f, 0.05f, -0.4f};
                Params.Bound p = params.bind(m);
                float[] y = mixer.mix(p, x, m.create(mask, new Shape(b, len)), false).toFloatArray();
                float[] last = mixer.mixLast(p, x, m.create(mask, new Shape(b, len)), false).toFloatArray();
                for (int i = 0; i < b; i++) {
                    for (int t = 0; t < len; t++) {
                        for (int c = 0; c < d; c++) {
                            double want = bias[t];
                            for (int s = 0; s < len; s++) {
                                double ws = perChannel ? w[(c * len + t) * len + s] : w[t * len + s];
                                want += ws * xs[(i * len + s) * d + c] * mask[i * len + s];
                            }
                            assertThat((double) y[(i * len + t) * d + c]).isCloseTo(want, Offset.offset(1e-5));
                            if (t == len - 1) {
                                assertThat((double) last[i * d + c]).isCloseTo(want, Offset.offset(1e-5));
                            }
                        }
                    }
                }
            }
        }
    }

    /** Leading padding cropped (length groups) gives the same states; swapping two items changes them. */
    @Test
    void croppingIsExactAndTheModelIsOrderSensitive() {
        try (NDManager m = manager.newSubManager()) {
            MetaFormerModel full = (MetaFormerModel) new LMixer.Spec().build(m, 20, Map.of("hidden", 8, "max_len", 10, "layers", 2,
                    "length_groups", false));
            MetaFormerModel grouped = (MetaFormerModel) new LMixer.Spec().build(m, 20, Map.of("hidden", 8, "max_len", 10, "layers", 2,
                    "length_groups", true, "group_overhead", 0));
            for (Map.Entry<String, NDArray> e : full.params().all().entrySet()) { // the same weights
                Params.write(grouped.params().all().get(e.getKey()), e.getValue().toFloatArray(), m);
            }
            long[] ids = {0, 0, 0, 0, 0, 0, 0, 3, 7, 9, 0, 0, 0, 0, 0, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 7, 3};
            NDArray batch = m.create(ids, new Shape(3, 10));
            float[] a = full.encodeLast(full.params().bind(m), batch, false).toFloatArray();
            float[] g = grouped.encodeLast(grouped.params().bind(m), batch, false).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertThat((double) g[i]).isCloseTo(a[i], Offset.offset(1e-5));
            }
            long[] swapped = {0, 0, 0, 0, 0, 0, 0, 7, 3, 9};
            float[] s = full.encodeLast(full.params().bind(m), m.create(swapped, new Shape(1, 10)), false).toFloatArray();
            double diff = 0;
            for (int i = 0; i < s.length; i++) {
                diff = Math.max(diff, Math.abs(s[i] - a[i]));
            }
            assertThat(diff).as("3, 7, 9 and 7, 3, 9 differ").isGreaterThan(1e-4);
        }
    }
}
