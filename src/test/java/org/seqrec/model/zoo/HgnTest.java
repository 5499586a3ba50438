package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * HGN against the paper's gating written out with plain arrays: feature gate, instance gate, the
 * gate-weighted average over the real positions of the window, plus the item-item sum.
 */
class HgnTest {
    static final int D = 6;
    static final int L = 4;
    static final long[][] HISTORIES = {{0, 0, 0, 0, 0, 3, 7}, {1, 2, 3, 4, 5, 6, 7}, {0, 0, 0, 0, 0, 0, 9}, {8, 8, 8, 0 + 2, 2, 5, 1}};

    @Test
    void userRepresentationIsTheGatedAveragePlusTheItemItemTerm() {
        Engine.getInstance().setRandomSeed(11);
        try (NDManager m = NDManager.newBaseManager()) {
            Hgn model = (Hgn) new Hgn.Spec().build(m, 10, Map.of("hidden", D, "max_len", 7, "hgn_len", L));
            // non-trivial biases, so that every term of the formula matters
            randomize(model, "b", 0.5f);
            randomize(model, "w1.bias", 0.5f);
            randomize(model, "w3.bias", 0.5f);
            randomize(model, "w4.bias", 0.8f);
            randomize(model, "w1.weight", 0.6f);
            randomize(model, "w3.weight", 0.6f);
            randomize(model, "item_embedding.weight", 0.7f);
            float[] emb = model.params().get("item_embedding.weight").toFloatArray();
            float[] w1 = model.params().get("w1.weight").toFloatArray(); // [out, in]
            float[] b1 = model.params().get("w1.bias").toFloatArray();
            float[] b = model.params().get("b").toFloatArray();
            float[] w3 = model.params().get("w3.weight").toFloatArray();
            float w3b = model.params().get("w3.bias").toFloatArray()[0];
            float[] pos = model.params().get("w4.bias").toFloatArray();
            NDArray ids = m.create(flat(HISTORIES), new Shape(HISTORIES.length, 7));
            float[] got = model.encodeLast(model.params().bind(m), ids, false).toFloatArray();
            for (int u = 0; u < HISTORIES.length; u++) {
                double[] pooled = new double[D];
                double[] itemItem = new double[D];
                double gates = 0;
                for (int l = 0; l < L; l++) {
                    int item = (int) HISTORIES[u][7 - L + l];
                    if (item == 0) {
                        continue;
                    }
                    double[] e = new double[D];
                    for (int j = 0; j < D; j++) {
                        e[j] = emb[item * D + j];
                        itemItem[j] += e[j];
                    }
                    double[] f = new double[D];
                    for (int o = 0; o < D; o++) {
                        double z = b1[o] + b[o];
                        for (int i = 0; i < D; i++) {
                            z += w1[o * D + i] * e[i];
                        }
                        f[o] = e[o] * sigmoid(z);
                    }
                    double z = w3b + pos[l];
                    for (int j = 0; j < D; j++) {
                        z += w3[j] * f[j];
                    }
                    double s = sigmoid(z);
                    gates += s;
                    for (int j = 0; j < D; j++) {
                        pooled[j] += s * f[j];
                    }
                }
                for (int j = 0; j < D; j++) {
                    double expected = pooled[j] / gates + itemItem[j];
                    assertThat((double) got[u * D + j]).as("user %d, dim %d", u, j).isCloseTo(expected, Offset.offset(1e-5));
                }
            }
            float[] gatesOf = model.instanceGates(model.params().bind(m), ids).toFloatArray();
            for (int l = 0; l < L - 2; l++) {
                assertThat(gatesOf[l]).as("padded positions carry no gate").isZero();
            }
        }
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static void randomize(Hgn model, String name, float scale) {
        NDArray w = model.params().get(name);
        w.set(w.getManager().randomUniform(-scale, scale, w.getShape()).toFloatArray());
    }

    private static long[] flat(long[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
