package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seqrec.nn.LinearScan;
import org.seqrec.nn.Params;

/**
 * LRURec: both forms of the scan (matrix, doubling) equal the recurrence stepped one position at a time, with its gradients; a user's states start
 * at its first item (more left padding changes nothing), position t never reads later items, and the
 * recurrence's own parameters (ν, θ, γ) are trained.
 */
class LruRecTest {
    /** The scan under test: 0 = the matrix form, 1 = doubling, 2 = the dispatching entry point. */
    private static NDArray[] scan(int form, NDArray lr, NDArray li, NDArray br, NDArray bi) {
        return form == 0 ? LinearScan.complexMatrix(lr, li, br, bi)
                : form == 1 ? LinearScan.complexDoubling(lr, li, br, bi) : LinearScan.complex(lr, li, br, bi);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void bothScansEqualTheSequentialRecurrence(int form) {
        Random rnd = new Random(5);
        int b = 3;
        int n = 4;
        int[] lens = form == 2 ? new int[] {LinearScan.MATRIX_MAX_LEN, LinearScan.MATRIX_MAX_LEN + 3} : new int[] {1, 2, 7, 13, 16, 33};
        for (int len : lens) { // powers of two and not
            float[] lr = new float[n];
            float[] li = new float[n];
            for (int j = 0; j < n; j++) {
                double r = 0.5 + 0.49 * rnd.nextDouble();
                double phase = 2 * Math.PI * rnd.nextDouble();
                lr[j] = (float) (r * Math.cos(phase));
                li[j] = (float) (r * Math.sin(phase));
            }
            float[] br = new float[b * len * n];
            float[] bi = new float[b * len * n];
            for (int k = 0; k < br.length; k++) {
                br[k] = (float) rnd.nextGaussian();
                bi[k] = (float) rnd.nextGaussian();
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray[] h = scan(form, m.create(lr), m.create(li), m.create(br, new Shape(b, len, n)), m.create(bi, new Shape(b, len, n)));
                float[] hr = h[0].toFloatArray();
                float[] hi = h[1].toFloatArray();
                for (int u = 0; u < b; u++) {
                    for (int j = 0; j < n; j++) {
                        double sr = 0;
                        double si = 0;
                        for (int t = 0; t < len; t++) {
                            int k = (u * len + t) * n + j;
                            double nr = lr[j] * sr - li[j] * si + br[k];
                            double ni = lr[j] * si + li[j] * sr + bi[k];
                            sr = nr;
                            si = ni;
                            assertThat((double) hr[k]).as("len %d user %d t %d state %d (re)", len, u, t, j).isCloseTo(sr, Offset.offset(1e-4));
                            assertThat((double) hi[k]).as("len %d user %d t %d state %d (im)", len, u, t, j).isCloseTo(si, Offset.offset(1e-4));
                        }
                    }
                }
            }
        }
    }

    /**
     * Gradients with respect to λ and the inputs, through either scan, equal those of the recurrence stepped one
     * position at a time with engine ops (autograd through a loop over time: an independent computation).
     */
    /** The entry point takes the matrix form up to MATRIX_MAX_LEN and doubling above: bit for bit each form's output. */
    @Test
    void theEntryPointDispatchesByLength() {
        Engine.getInstance().setRandomSeed(8);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray lr = m.randomUniform(-0.7f, 0.7f, new Shape(3));
            NDArray li = m.randomUniform(-0.7f, 0.7f, new Shape(3));
            for (int len : new int[] {LinearScan.MATRIX_MAX_LEN, LinearScan.MATRIX_MAX_LEN + 1}) {
                NDArray br = m.randomNormal(new Shape(2, len, 3));
                NDArray bi = m.randomNormal(new Shape(2, len, 3));
                float[] got = LinearScan.complex(lr, li, br, bi)[0].toFloatArray();
                float[] matrix = LinearScan.complexMatrix(lr, li, br, bi)[0].toFloatArray();
                float[] doubling = LinearScan.complexDoubling(lr, li, br, bi)[0].toFloatArray();
                assertThat(java.util.Arrays.equals(matrix, doubling)).as("the two forms round differently at L %d", len).isFalse();
                assertThat(got).as("L %d", len).containsExactly(len <= LinearScan.MATRIX_MAX_LEN ? matrix : doubling);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void bothScansHaveTheSteppedRecurrencesGradients(int form) {
        int b = 2;
        int len = 11;
        int n = 3;
        Engine.getInstance().setRandomSeed(4);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray modulus = m.randomUniform(0.5f, 0.99f, new Shape(n));
            NDArray phase = m.randomUniform(0f, 6.28f, new Shape(n));
            NDArray[] in = {modulus.mul(phase.cos()), modulus.mul(phase.sin()), m.randomNormal(new Shape(b, len, n)),
                m.randomNormal(new Shape(b, len, n))};
            NDArray weights = m.randomNormal(new Shape(b, len, n));
            float[][][] grads = new float[2][][];
            for (int way = 0; way < 2; way++) {
                NDArray[] fresh = new NDArray[in.length]; // each way its own leaves, so gradients do not accumulate
                for (int i = 0; i < in.length; i++) {
                    fresh[i] = in[i].duplicate();
                    fresh[i].setRequiresGradient(true);
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray[] h;
                    if (way == 0) {
                        h = scan(form, fresh[0], fresh[1], fresh[2], fresh[3]);
                    } else { // stepped
                        NDArray sr = m.zeros(new Shape(b, 1, n));
                        NDArray si = m.zeros(new Shape(b, 1, n));
                        NDList re = new NDList();
                        NDList im = new NDList();
                        for (int t = 0; t < len; t++) {
                            NDIndex at = new NDIndex(":, {}:{}", t, t + 1);
                            NDArray nr = fresh[0].mul(sr).sub(fresh[1].mul(si)).add(fresh[2].get(at));
                            NDArray ni = fresh[0].mul(si).add(fresh[1].mul(sr)).add(fresh[3].get(at));
                            sr = nr;
                            si = ni;
                            re.add(sr);
                            im.add(si);
                        }
                        h = new NDArray[] {NDArrays.concat(re, 1), NDArrays.concat(im, 1)};
                    }
                    gc.backward(h[0].mul(weights).sum().add(h[1].mul(h[1]).sum()));
                }
                grads[way] = new float[4][];
                for (int i = 0; i < 4; i++) {
                    grads[way][i] = fresh[i].getGradient().toFloatArray();
                }
            }
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < grads[0][i].length; k++) {
                    assertThat(grads[0][i][k]).as("input %d element %d", i, k).isCloseTo(grads[1][i][k], Offset.offset(2e-3f * (1 + Math.abs(grads[1][i][k]))));
                }
            }
        }
    }

    @Test
    void statesStartAtTheFirstItemAndNeverReadLaterOnes() {
        Engine.getInstance().setRandomSeed(9);
        try (NDManager m = NDManager.newBaseManager()) {
            LruRec model = (LruRec) new LruRec.Spec().build(m, 20, Map.of("hidden", 8, "max_len", 9, "layers", 2));
            Params.Bound p = model.params().bind(m);
            // embeddings of the padding row differ from zero, so a leak of padding would show
            NDArray table = model.params().get("embedding.token.weight");
            table.set(m.randomNormal(0f, 1f, table.getShape(), table.getDataType()).toFloatArray());
            float[] short5 = model.encodeLast(p, m.create(new long[] {0, 0, 3, 5, 7}, new Shape(1, 5)), false).toFloatArray();
            float[] long9 = model.encodeLast(p, m.create(new long[] {0, 0, 0, 0, 0, 0, 3, 5, 7}, new Shape(1, 9)), false).toFloatArray();
            for (int j = 0; j < short5.length; j++) {
                assertThat(long9[j]).isCloseTo(short5[j], Offset.offset(1e-5f));
            }
            float[] a = model.encodeAll(p, m.create(new long[] {0, 4, 9, 2, 11, 6}, new Shape(1, 6)), false).toFloatArray();
            float[] c = model.encodeAll(p, m.create(new long[] {0, 4, 9, 2, 17, 1}, new Shape(1, 6)), false).toFloatArray();
            int d = 8;
            for (int k = 0; k < 4 * d; k++) { // positions 0..3 are before the change
                assertThat(c[k]).isCloseTo(a[k], Offset.offset(1e-6f));
            }
            boolean changed = false;
            for (int k = 4 * d; k < 6 * d; k++) {
                changed |= Math.abs(c[k] - a[k]) > 1e-4;
            }
            assertThat(changed).as("later positions read the changed items").isTrue();
        }
    }

    @Test
    void theRecurrenceItselfIsLearned() {
        Engine.getInstance().setRandomSeed(2);
        try (NDManager m = NDManager.newBaseManager()) {
            LruRec model = (LruRec) new LruRec.Spec().build(m, 15, Map.of("hidden", 8, "max_len", 6, "layers", 1));
            NDArray ids = m.create(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, new Shape(2, 6));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray rep = model.encodeLast(model.params().bind(m), ids, false);
                gc.backward(rep.mul(rep).sum());
            }
            float[] g = model.params().get("model.lru_blocks.0.lru_layer.params_log").getGradient().toFloatArray();
            for (int row = 0; row < 3; row++) { // ν, θ, γ
                double norm = 0;
                for (int j = 0; j < 16; j++) {
                    norm += Math.abs(g[row * 16 + j]);
                }
                assertThat(norm).as("gradient of row %d of params_log", row).isGreaterThan(0);
            }
        }
    }
}
