package org.seqrec.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.seqrec.data.SplitMix64;

/** Every way of drawing dropout masks: the keep rate, the inverted scaling, the gradient through the mask. */
class DropoutTest {
    @ParameterizedTest
    @EnumSource(Nn.DropoutMasks.class)
    void keepsOneMinusRateScaledUpAndTheGradientIsTheMask(Nn.DropoutMasks masks) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            Params params = new Params(m);
            Params.Bound p = params.bind(m, new SplitMix64(9));
            NDArray x = m.randomUniform(1f, 2f, new Shape(200, 500));
            x.setRequiresGradient(true);
            float rate = 0.3f;
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = Nn.dropout(p, x, rate, true, masks);
                gc.backward(y.sum());
            }
            float[] xs = x.toFloatArray();
            float[] ys = y.toFloatArray();
            float[] gs = x.getGradient().toFloatArray();
            int kept = 0;
            for (int i = 0; i < xs.length; i++) {
                if (ys[i] != 0f) {
                    kept++;
                    assertThat(ys[i]).isCloseTo(xs[i] / (1 - rate), within(1e-5f));
                    assertThat(gs[i]).isCloseTo(1 / (1 - rate), within(1e-5f));
                } else {
                    assertThat(gs[i]).isZero();
                }
            }
            // 100000 Bernoulli(0.7) draws: sd of the fraction 0.0014, so 0.01 is 7 sd
            assertThat(kept / (double) xs.length).isCloseTo(1 - rate, within(0.01));
            assertThat(Nn.dropout(p, x, rate, false, masks)).isSameAs(x);
        }
    }

    @org.junit.jupiter.api.Test
    void hostMasksTakeSixteenBitsPerElementFromTheStreamInOrder() {
        // the rule written out: element i reads bits 16*(i%4) .. +15 of the (i/4)-th draw and is kept
        // (at 1/(1-rate)) when they are at least round(rate * 65536); 4 whole draws and a tail of 3
        float rate = 0.3f;
        int threshold = Math.round(rate * 65536f);
        for (int n : new int[] {16, 19, 1}) {
            float[] mask = Nn.mask(new SplitMix64(77), n, rate);
            SplitMix64 rng = new SplitMix64(77);
            long bits = 0;
            for (int i = 0; i < n; i++) {
                if (i % 4 == 0) {
                    bits = rng.nextLong();
                }
                long chunk = (bits >>> (16 * (i % 4))) & 0xFFFFL;
                assertThat(mask[i]).as("n %d, element %d", n, i).isEqualTo(chunk >= threshold ? 1f / (1f - rate) : 0f);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void anUnknownWayOfDrawingMasksIsAClearError() {
        assertThat(Nn.dropoutMasks(" Host ")).isEqualTo(Nn.DropoutMasks.HOST);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Nn.dropoutMasks("bernoulli"))
                .isInstanceOf(org.seqrec.util.SeqrecException.class).hasMessageContaining("'bernoulli'");
    }
}
