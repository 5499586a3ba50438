package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Params;
import org.seqrec.nn.TokenMixer;
import org.seqrec.util.SeqrecException;

/**
 * L-Mixer (ConvFormer paper, appendix F, Table F6): the meta-former block with an affine layer along
 * time as its token mixer, {@code Y[t] = Σ_s W[t, s] · R[s] + b[t]}, a learned {@code L x L} matrix shared
 * by the channels (default) or one per channel ({@code per_channel true}: {@code D x L x L}, the other
 * form of the paper's Table E5). Order-sensitive, a full receptive field and light: the paper's second
 * model meeting its three criteria; unlike the DWC it is tied to L and has no FFT form. Padded positions do
 * not take part (their columns of W are masked), so the last position's state depends on the history only,
 * and cropping leading padding is exact (the last {@code w} rows and columns of W). W starts from
 * N(0, 0.02), b from 0. Table C3's training settings (D 64, 2 blocks, L 50, dropout 0.5, lr 1e-3, batch 256,
 * prefix regime), as ConvFormer.
 */
public final class LMixer {
    private LMixer() {}

    /** {@code W · (R ⊙ mask) + b} along time. */
    public static final class AffineMixer implements TokenMixer {
        final String w;
        final String b;
        final int len;
        final int d;
        final boolean perChannel;

        public AffineMixer(Params p, String name, int len, int d, boolean perChannel) {
            this.w = p.normal(name + ".weight", perChannel ? new Shape(d, len, len) : new Shape(len, len), 0.02f);
            this.b = p.zeros(name + ".bias", new Shape(len, 1));
            this.len = len;
            this.d = d;
            this.perChannel = perChannel;
        }

        @Override
        public boolean ignoresPadding() {
            return true;
        }

        @Override
        public boolean cropsLeadingPadding() {
            return true;
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return apply(p, x, mask, x.getShape().get(1));
        }

        @Override
        public NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return apply(p, x, mask, 1);
        }

        /** The output at the last {@code lq} positions of the window {@code x [B, w, D]} (its last w of L). */
        NDArray apply(Params.Bound p, NDArray x, NDArray mask, long lq) {
            long width = x.getShape().get(1);
            if (width > len) {
                throw new SeqrecException("L-Mixer is built for L = " + len + ", got " + width + " positions");
            }
            NDArray xm = x.mul(mask.expandDims(2)); // padded positions take no part
            NDArray bias = p.get(b).get(new NDIndex("-" + lq + ":, :")); // [lq, 1]
            if (!perChannel) {
                NDArray weight = p.get(w).get(new NDIndex("-" + lq + ":, -" + width + ":")); // [lq, w]
                return weight.matMul(xm).add(bias); // [lq, w] x [B, w, D] -> [B, lq, D]
            }
            NDArray weight = p.get(w).get(new NDIndex(":, -" + lq + ":, -" + width + ":")); // [D, lq, w]
            NDArray y = weight.matMul(xm.transpose(0, 2, 1).expandDims(3)); // [D, lq, w] x [B, D, w, 1] -> [B, D, lq, 1]
            return y.squeeze(3).transpose(0, 2, 1).add(bias);
        }
    }

    /** Registry entry {@code lmixer}; trains in the prefix regime. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("lmixer", "L-Mixer (ConvFormer paper, Table F6): an affine L x L token mixer along time");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("per_channel", false);
            MetaFormerModel.putLengthGroupDefaults(m);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Hyper h = Hyper.from(params);
            boolean perChannel = Hyper.boolOf(params, "per_channel", false);
            int len = h.maxLen();
            int d = h.hidden();
            return new MetaFormerModel("lmixer", manager, numItems, h, (p, name) -> new AffineMixer(p, name, len, d, perChannel), true)
                    .useLengthGroups(params);
        }
    }
}
