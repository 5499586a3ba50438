package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Params;
import org.seqrec.nn.TokenMixer;

/**
 * FMLP-Rec (Zhou et al., WWW 2022), the ConvFormer paper's strongest baseline: the meta-former block
 * whose token mixer is a learnable filter in the frequency domain,
 * {@code Y = irfft(rfft(R, ortho) ⊙ W, n = L, ortho)} with W a complex {@code [L/2+1, D]} weight.
 */
public final class FmlpRec {
    private FmlpRec() {}

    /**
     * The learnable filter. W is stored as real and imaginary parts, {@code [2, L/2+1, D]}, each
     * N(0, 0.02). The engine cannot differentiate through a complex view of a real weight, so the
     * filter is applied as the circular convolution it is: the real kernel {@code w = irfft(W, n = L)}
     * is a fixed real linear map of W (the imaginary parts at frequency 0 and L/2, which irfft
     * ignores, drop out), and {@code irfft(rfft(R) ⊙ rfft(w))} equals {@code irfft(rfft(R) ⊙ W)}.
     */
    public static final class FilterMixer implements TokenMixer {
        final String w;
        final int len;
        final float[] basis;

        public FilterMixer(Params p, String name, int d, int len) {
            this.w = p.normal(name + ".filter", new Shape(2, len / 2 + 1, d), 0.02f);
            this.len = len;
            this.basis = inverseRealBasis(len);
        }

        /**
         * The matrix {@code [L, 2F]} (F = L/2 + 1) that maps the stacked real and imaginary parts of a
         * half spectrum to its inverse real FFT (1/L normalisation, as the engine's irfft).
         */
        static float[] inverseRealBasis(int len) {
            int f = len / 2 + 1;
            float[] m = new float[len * 2 * f];
            for (int t = 0; t < len; t++) {
                for (int k = 0; k < f; k++) {
                    boolean edge = k == 0 || (len % 2 == 0 && k == len / 2); // DC and Nyquist count once
                    double c = (edge ? 1.0 : 2.0) / len;
                    double angle = 2 * Math.PI * k * t / len;
                    m[t * 2 * f + k] = (float) (c * Math.cos(angle));
                    m[t * 2 * f + f + k] = edge ? 0f : (float) (-c * Math.sin(angle));
                }
            }
            return m;
        }

        /** The filter's time-domain kernel, {@code [L, D]}. */
        NDArray kernel(Params.Bound p) {
            NDArray weights = p.get(w);
            long f = weights.getShape().get(1);
            NDArray b = p.manager().create(basis, new Shape(len, 2 * f)).toType(weights.getDataType(), false);
            return b.matMul(weights.reshape(2 * f, weights.getShape().get(2)));
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return x.rfft(len, 1).mul(kernel(p).rfft(len, 0)).irfft(len, 1);
        }
    }

    /** Registry entry {@code fmlp-rec}; trains in the prefix regime like ConvFormer. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("fmlp-rec", "FMLP-Rec: learnable frequency-domain filter as the token mixer");
        }

        @Override
        public Map<String, Object> defaults() {
            return Hyper.defaults();
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Hyper h = Hyper.from(params);
            return new MetaFormerModel(name(), manager, numItems, h, (p, n) -> new FilterMixer(p, n, h.hidden(), h.maxLen()));
        }

    }
}
