package org.seqrec.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.seqrec.model.NeuralSeqModel;

/** Gradients of a model's weights, for tests that two ways of computing the same loss agree. */
public final class Gradients {
    private Gradients() {}

    /** The gradient of every weight of {@code sum(encodeLast(ids) * r)} (dropout off), by weight name. */
    public static Map<String, float[]> ofWeightedLast(NeuralSeqModel model, NDManager m, NDArray ids, NDArray r) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(model.encodeLast(model.params().bind(m), ids, false).mul(r).sum());
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.params().all().entrySet()) {
            if (e.getValue().hasGradient()) {
                grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
            }
        }
        return grads;
    }

    /**
     * Same weights, and each gradient equal to within {@code 1e-4} of the largest entry of its weight's
     * plus {@code 1e-6} of the largest of all (a gradient that is zero in exact arithmetic, like that of
     * a key bias under softmax, is round-off of either sign).
     */
    /** Every weight of {@code params}, in registration order, as one flat array (for bit-exact comparisons of two runs). */
    public static float[] flatWeights(org.seqrec.nn.Params params) {
        int n = (int) params.count();
        float[] out = new float[n];
        int at = 0;
        for (NDArray w : params.all().values()) {
            float[] v = w.toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    public static void assertSame(Map<String, float[]> actual, Map<String, float[]> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        float global = 0;
        for (float[] g : expected.values()) {
            global = Math.max(global, maxAbs(g));
        }
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            float[] want = e.getValue();
            float[] got = actual.get(e.getKey());
            float tolerance = 1e-4f * maxAbs(want) + 1e-6f * global + 1e-12f;
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).as("%s[%d]", e.getKey(), i).isCloseTo(want[i], Offset.offset(tolerance));
            }
        }
    }

    private static float maxAbs(float[] g) {
        float m = 0;
        for (float x : g) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
