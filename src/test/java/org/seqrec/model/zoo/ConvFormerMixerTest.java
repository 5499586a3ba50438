package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ConvFormer.ConvImpl;
import org.seqrec.model.zoo.ConvFormer.Padding;
import org.seqrec.nn.Params;
import org.seqrec.train.Training;

/** The token mixers of ConvFormer: hand-computed cases, Toeplitz = Conv1d, FFT = circular conv with reversed kernel. */
class ConvFormerMixerTest {
    static NDManager manager;

    @BeforeAll
    static void init() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** x[b, t, d] = t + 1 (one channel), kernel w = [1, 10, 100] (oldest tap first), no bias. */
    private static float[] handRun(Padding padding, ConvImpl impl) {
        try (NDManager m = manager.newSubManager()) {
            Params params = new Params(m);
            ConvFormer.DepthwiseConv conv = new ConvFormer.DepthwiseConv(params, "c", 1, 3, padding, 4, impl);
            params.get("c.weight").set(new float[] {1, 10, 100});
            params.get("c.bias").set(new float[] {0});
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 4, 1));
            return conv.mix(params.bind(m), x, null, false).toFloatArray();
        }
    }

    @Test
    void eachPaddingMatchesAHandComputedExample() {
        // y[t] = 1*x[t-2] + 10*x[t-1] + 100*x[t], x = 1 2 3 4, the 2 steps before t=0 filled by the padding
        for (ConvImpl impl : new ConvImpl[] {ConvImpl.CONV1D, ConvImpl.TOEPLITZ}) {
            // circular: padded = 3 4 | 1 2 3 4
            assertThat(handRun(Padding.CIRCULAR, impl)).as("%s", impl).containsExactly(3 + 40 + 100, 4 + 10 + 200, 1 + 20 + 300, 2 + 30 + 400);
            // reflect: padded = 3 2 | 1 2 3 4
            assertThat(handRun(Padding.REFLECT, impl)).as("%s", impl).containsExactly(3 + 20 + 100, 2 + 10 + 200, 1 + 20 + 300, 2 + 30 + 400);
            // zero: padded = 0 0 | 1 2 3 4
            assertThat(handRun(Padding.ZERO, impl)).as("%s", impl).containsExactly(100, 10 + 200, 1 + 20 + 300, 2 + 30 + 400);
        }
    }

    @ParameterizedTest
    @CsvSource({"circular, 1", "circular, 5", "circular, 12", "reflect, 4", "reflect, 12", "zero, 7", "zero, 12"})
    void toeplitzEqualsConv1dForwardAndGradient(String pad, int k) {
        Padding padding = Padding.parse(pad);
        int len = 12;
        int d = 6;
        try (NDManager m = manager.newSubManager()) {
            Params params = new Params(m);
            ConvFormer.DepthwiseConv direct = new ConvFormer.DepthwiseConv(params, "a", d, k, padding, len, ConvImpl.CONV1D);
            ConvFormer.DepthwiseConv fast = new ConvFormer.DepthwiseConv(params, "b", d, k, padding, len, ConvImpl.TOEPLITZ);
            params.get("b.weight").set(params.get("a.weight").toFloatArray());
            params.get("b.bias").set(params.get("a.bias").toFloatArray());
            NDArray x = m.randomNormal(new Shape(3, len, d));
            NDArray[] grads = new NDArray[2];
            NDArray[] outs = new NDArray[2];
            ConvFormer.DepthwiseConv[] mixers = {direct, fast};
            for (int i = 0; i < 2; i++) {
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = mixers[i].mix(params.bind(m), x, null, true);
                    outs[i] = y.duplicate();
                    gc.backward(y.mul(y).sum());
                }
                grads[i] = x.getGradient().duplicate();
                x = x.duplicate();
            }
            assertClose(outs[1], outs[0], 1e-5f);
            assertClose(grads[1], grads[0], 1e-4f);
            assertClose(params.get("b.weight").getGradient(), params.get("a.weight").getGradient(), 1e-4f);
            // the last-position shortcut equals the last row of the full output
            NDArray lastFast = fast.mixLast(params.bind(m), x, null, false);
            assertClose(lastFast, direct.mix(params.bind(m), x, null, false).get(new NDIndex(":, -1:, :")), 1e-5f);
        }
    }

    @ParameterizedTest
    @CsvSource({"1", "9", "16"})
    void fftPathEqualsCircularConvolutionWithReversedKernel(int k) {
        int len = 16;
        int d = 5;
        try (NDManager m = manager.newSubManager()) {
            Params params = new Params(m);
            ConvFormer.DepthwiseConv direct = new ConvFormer.DepthwiseConv(params, "a", d, k, Padding.CIRCULAR, len, ConvImpl.CONV1D);
            ConvFormer.FftConv fft = new ConvFormer.FftConv(params, "f", d, k);
            // C[m, d] = w[d, K-1-m]: the FFT kernel is the conv kernel reversed in time
            float[] w = params.get("a.weight").toFloatArray(); // [D, 1, K]
            float[] c = new float[k * d];
            for (int ch = 0; ch < d; ch++) {
                for (int j = 0; j < k; j++) {
                    c[(k - 1 - j) * d + ch] = w[ch * k + j];
                }
            }
            params.get("f.kernel").set(c);
            params.get("f.bias").set(params.get("a.bias").toFloatArray());
            NDArray x = m.randomNormal(new Shape(4, len, d));
            x.setRequiresGradient(true);
            NDArray yDirect;
            NDArray gDirect;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = direct.mix(params.bind(m), x, null, true);
                yDirect = y.duplicate();
                gc.backward(y.mul(y).sum());
            }
            gDirect = x.getGradient().duplicate();
            NDArray x2 = x.duplicate();
            x2.setRequiresGradient(true);
            NDArray yFft;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = fft.mix(params.bind(m), x2, null, true);
                yFft = y.duplicate();
                gc.backward(y.mul(y).sum());
            }
            assertClose(yFft, yDirect, 1e-5f);
            assertClose(x2.getGradient(), gDirect, 1e-4f);
            // kernel gradients agree after the same reversal
            float[] gw = params.get("a.weight").getGradient().toFloatArray();
            float[] gc = params.get("f.kernel").getGradient().toFloatArray();
            for (int ch = 0; ch < d; ch++) {
                for (int j = 0; j < k; j++) {
                    assertThat(gc[(k - 1 - j) * d + ch]).isCloseTo(gw[ch * k + j], org.assertj.core.api.Assertions.within(1e-3f));
                }
            }
        }
    }

    /**
     * Left-padded rows (exact zeros, as the model's embedding gives them): where the circular window
     * reads only zero rows the FFT path gives exactly the bias, as the direct convolution does (the
     * FFT alone leaves rounding noise there); elsewhere the two agree to float precision, and so do
     * the gradients, those of the padded rows included.
     */
    @ParameterizedTest
    @CsvSource({"9, 0", "9, 3", "16, 0", "1, 2"})
    void fftPathIsExactWhereTheWindowReadsOnlyPadding(int k, float biasScale) {
        int len = 16;
        int d = 6;
        int[] items = {0, 3, 7, 16}; // real items per row, at the end
        try (NDManager m = manager.newSubManager()) {
            Params params = new Params(m);
            ConvFormer.DepthwiseConv direct = new ConvFormer.DepthwiseConv(params, "a", d, k, Padding.CIRCULAR, len, ConvImpl.TOEPLITZ);
            ConvFormer.FftConv fft = new ConvFormer.FftConv(params, "f", d, k);
            float[] w = params.get("a.weight").toFloatArray();
            float[] c = new float[k * d];
            for (int ch = 0; ch < d; ch++) {
                for (int j = 0; j < k; j++) {
                    c[(k - 1 - j) * d + ch] = w[ch * k + j];
                }
            }
            params.get("f.kernel").set(c);
            params.get("a.bias").set(params.get("a.bias").mul(biasScale).toFloatArray()); // 0: the worst case
            params.get("f.bias").set(params.get("a.bias").toFloatArray());
            float[] mask = new float[items.length * len];
            for (int r = 0; r < items.length; r++) {
                for (int t = len - items[r]; t < len; t++) {
                    mask[r * len + t] = 1;
                }
            }
            NDArray x = m.randomNormal(new Shape(items.length, len, d)).mul(m.create(mask, new Shape(items.length, len, 1)));
            NDArray upstream = m.randomNormal(new Shape(items.length, len, d)); // a gradient at every position
            NDArray[] outs = new NDArray[2];
            NDArray[] grads = new NDArray[2];
            for (int i = 0; i < 2; i++) {
                NDArray xi = x.duplicate();
                xi.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = (i == 0 ? direct : fft).mix(params.bind(m), xi, null, true);
                    outs[i] = y.duplicate();
                    gc.backward(y.mul(upstream).sum());
                }
                grads[i] = xi.getGradient().duplicate();
            }
            assertClose(outs[1], outs[0], 1e-5f);
            assertClose(grads[1], grads[0], 1e-4f);
            float[] yd = outs[0].toFloatArray();
            float[] yf = outs[1].toFloatArray();
            float[] bias = params.get("a.bias").toFloatArray();
            int exact = 0;
            for (int r = 0; r < items.length; r++) {
                for (int t = 0; t < len; t++) {
                    // window t-K+1 .. t (circular) reads only padding
                    boolean zeroWindow = items[r] == 0 || (t >= k - 1 && t < len - items[r]);
                    for (int ch = 0; ch < d && zeroWindow; ch++) {
                        int at = (r * len + t) * d + ch;
                        assertThat(yd[at]).as("direct, row %d step %d", r, t).isEqualTo(bias[ch]);
                        assertThat(yf[at]).as("fft, row %d step %d", r, t).isEqualTo(bias[ch]);
                        exact++;
                    }
                }
            }
            assertThat(exact).isPositive();
        }
    }

    /**
     * The convolution is causal and the model reads position L-1: with 2 blocks that position sees
     * L-2(K-1)..L-1, so the padding mode changes nothing while 2K-1 <= L and changes the output
     * beyond (why a kernel sweep's runs with K <= (L+1)/2 are identical across paddings).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"5, true", "6, false"})
    void paddingReachesTheLastPositionOnlyForLargeKernels(int k, boolean same) {
        int len = 9;
        long[] ids = {0, 0, 3, 7, 1, 9, 4, 2, 8, 5, 6, 2, 9, 9, 1, 3, 4, 7};
        java.util.List<float[]> reps = new java.util.ArrayList<>();
        for (String padding : new String[] {"circular", "reflect", "zero"}) {
            java.util.Map<String, Object> p = new java.util.LinkedHashMap<>(Training.defaults(ModelRegistry.get("convformer")));
            p.put("hidden", 8);
            p.put("max_len", len);
            p.put("kernel", k);
            p.put("padding", padding);
            Engine.getInstance().setRandomSeed(3); // the same weights for every padding
            NeuralSeqModel model = ((NeuralSpec) ModelRegistry.get("convformer")).build(manager, 10, p);
            reps.add(model.encodeLast(model.params().bind(manager), manager.create(ids, new Shape(2, len)), false).toFloatArray());
        }
        if (same) {
            assertThat(reps.get(1)).containsExactly(reps.get(0));
            assertThat(reps.get(2)).containsExactly(reps.get(0));
        } else {
            assertThat(reps.get(1)).isNotEqualTo(reps.get(0));
            assertThat(reps.get(2)).isNotEqualTo(reps.get(0));
        }
    }

    static void assertClose(NDArray actual, NDArray expected, float tol) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        float scale = 1f;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - e[i])).as("element %d: %f vs %f", i, a[i], e[i]).isLessThanOrEqualTo(tol * scale);
        }
    }
}
