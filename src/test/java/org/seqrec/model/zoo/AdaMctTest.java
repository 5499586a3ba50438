package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrec.nn.Params;
import org.seqrec.train.Training;
import org.seqrec.util.SeqrecException;

/** AdaMCT's layer: shapes, the squeeze-excitation weights, the per-user mixture, the ablations. */
class AdaMctTest {
    static final int ITEMS = 30;
    static final int L = 8;

    static Map<String, Object> params(Object... kv) {
        Map<String, Object> p = new LinkedHashMap<>(Training.defaults(new AdaMct.Spec()));
        p.put("hidden", 16);
        p.put("max_len", L);
        p.put("kernel", 3);
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    static AdaMct build(NDManager m, Map<String, Object> params) {
        Engine.getInstance().setRandomSeed(3);
        return (AdaMct) new AdaMct.Spec().build(m, ITEMS, params);
    }

    /** Two users with different histories (the second left-padded). */
    static NDArray twoUsers(NDManager m) {
        return m.create(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 9, 12, 15, 20, 29}, new Shape(2, L));
    }

    @Test
    void shapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaMct model = build(m, params());
            Params.Bound p = model.params().bind(m);
            assertThat(model.encode(p, twoUsers(m), false, null).getShape()).isEqualTo(new Shape(2, L, 16));
            NDArray rep = model.encodeLast(p, twoUsers(m), true);
            assertThat(rep.getShape()).isEqualTo(new Shape(2, 16));
            assertThat(model.scoreAllItems(p, rep).getShape()).isEqualTo(new Shape(2, ITEMS + 1));
        }
    }

    @Test
    void squeezeExcitationWeightsLieInZeroOneAndDoNotSumToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaMct model = build(m, params("layers", 2));
            AdaMct.Trace trace = new AdaMct.Trace();
            model.encode(model.params().bind(m), twoUsers(m), false, trace);
            assertThat(trace.seLocal).hasSize(2);
            assertThat(trace.seGlobal).hasSize(2);
            for (NDArray s : concat(trace)) {
                assertThat(s.getShape()).isEqualTo(new Shape(2, L));
                for (float v : s.toFloatArray()) {
                    assertThat(v).isStrictlyBetween(0f, 1f);
                }
                for (float sum : s.sum(new int[] {1}).toFloatArray()) {
                    assertThat(Math.abs(sum - 1f)).isGreaterThan(0.5f); // independent weights, not a distribution
                }
            }
        }
    }

    @Test
    void theSoftmaxAblationSumsToOneOverPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaMct model = build(m, params("se_local", "softmax", "se_global", "softmax"));
            AdaMct.Trace trace = new AdaMct.Trace();
            model.encode(model.params().bind(m), twoUsers(m), false, trace);
            int checked = 0;
            for (NDArray s : concat(trace)) {
                for (float sum : s.sum(new int[] {1}).toFloatArray()) {
                    assertThat(sum).isCloseTo(1f, offset(1e-5f));
                    checked++;
                }
            }
            assertThat(checked).as("the trace recorded the squeeze-excitation weights of every layer and user").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void theMixtureWeightIsPerUserAndPerLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaMct model = build(m, params("layers", 2));
            AdaMct.Trace trace = new AdaMct.Trace();
            model.encode(model.params().bind(m), twoUsers(m), false, trace);
            assertThat(trace.alpha).hasSize(2);
            float[] layer0 = trace.alpha.get(0).toFloatArray();
            float[] layer1 = trace.alpha.get(1).toFloatArray();
            assertThat(layer0).hasSize(2);
            for (float a : concatFloats(layer0, layer1)) {
                assertThat(a).isStrictlyBetween(0f, 1f);
            }
            assertThat(layer0[0]).as("two users, one layer").isNotEqualTo(layer0[1]);
            assertThat(layer0[0]).as("one user, two layers").isNotEqualTo(layer1[0]);
        }
    }

    @Test
    void aFixedMixtureUsesTheGivenWeightForEveryUser() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaMct model = build(m, params("mix", 0.8));
            assertThat(model.params().all().keySet()).noneMatch(k -> k.contains(".mix."));
            AdaMct.Trace trace = new AdaMct.Trace();
            model.encode(model.params().bind(m), twoUsers(m), false, trace);
            assertThat(trace.alpha.get(0).toFloatArray()).containsExactly(0.8f, 0.8f);
        }
    }

    @Test
    void ablationsRemoveTheirWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(build(m, params("branches", "local")).params().all().keySet())
                    .noneMatch(k -> k.contains(".attn.") || k.contains("se_global"));
            assertThat(build(m, params("branches", "global")).params().all().keySet())
                    .noneMatch(k -> k.contains(".conv.") || k.contains("se_local") || k.contains(".mix."));
            assertThat(build(m, params("se_local", "none", "se_global", "none")).params().all().keySet())
                    .noneMatch(k -> k.contains(".se_"));
            AdaMct local = build(m, params("branches", "local"));
            NDArray rep = local.encodeLast(local.params().bind(m), twoUsers(m), false);
            assertThat(rep.isNaN().any().getBoolean()).isFalse();
        }
    }

    @Test
    void badSettingsAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> build(m, params("kernel", 4))).isInstanceOf(SeqrecException.class).hasMessageContaining("odd");
            assertThatThrownBy(() -> build(m, params("mix", 1.5))).isInstanceOf(SeqrecException.class);
            assertThatThrownBy(() -> build(m, params("act", "elu"))).isInstanceOf(SeqrecException.class);
            assertThatThrownBy(() -> build(m, params("se_local", "tanh"))).isInstanceOf(SeqrecException.class);
        }
    }

    /** The local branch's convolution written as one matrix product equals the engine's Conv1d with padding (k-1)/2. */
    @Test
    void theConvolutionEqualsTheEnginesConv1d() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            for (int k : new int[] {1, 3, 5}) {
                AdaMct model = build(m, params("kernel", k, "branches", "local", "se_local", "none", "layers", 1,
                        "dropout", 0.0));
                Params.Bound p = model.params().bind(m);
                NDArray x = m.randomNormal(new Shape(2, L, 16));
                NDArray w = p.get("layers.0.conv.weight");
                NDArray b = p.get("layers.0.conv.bias");
                NDArray expected = Conv1d.conv1d(x.transpose(0, 2, 1), w, b, new Shape(1), new Shape((k - 1) / 2), new Shape(1), 1)
                        .singletonOrThrow().transpose(0, 2, 1);
                NDArray actual = model.localConvolution(p, x);
                assertThat(actual.getShape()).isEqualTo(expected.getShape());
                assertThat(actual.sub(expected).abs().max().getFloat()).as("k = %d", k).isLessThan(1e-5f);
            }
        }
    }

    private static java.util.List<NDArray> concat(AdaMct.Trace t) {
        java.util.List<NDArray> all = new java.util.ArrayList<>(t.seLocal);
        all.addAll(t.seGlobal);
        return all;
    }

    private static float[] concatFloats(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
