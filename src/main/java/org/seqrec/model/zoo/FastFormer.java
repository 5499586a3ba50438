package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;
import org.seqrec.nn.TokenMixer;

/**
 * FastFormer (Wu et al. 2021, additive attention) as the token mixer of the meta-former block, as
 * the ConvFormer paper's Table 7 runs it (following github.com/wuch15/Fastformer), per head:
 * {@code α = softmax(q·w_q / sqrt(d_h))} over real positions pools the queries into a global query
 * g; each key is multiplied by g, {@code β = softmax((g ⊙ k)·w_k / sqrt(d_h))} pools those into a
 * global key g'; the output at position i is {@code Dense(transform(g' ⊙ q_i) + q_i)}.
 * Heads: 4 on Beauty, 2 elsewhere (Table C3; default 4, set with --heads).
 */
public final class FastFormer {
    private FastFormer() {}

    /** FastFormer's additive-attention token mixer. */
    public static final class AdditiveAttention implements TokenMixer {
        private final Dense q;
        private final Dense k;
        private final Dense queryScore;
        private final Dense keyScore;
        private final Dense transform;
        private final Dense out;
        private final int heads;
        private final int d;

        public AdditiveAttention(Params p, String name, int d, int heads) {
            if (heads < 1 || d % heads != 0) {
                throw new IllegalArgumentException("hidden size " + d + " is not divisible by " + heads + " heads");
            }
            this.q = new Dense(p, name + ".q", d, d);
            this.k = new Dense(p, name + ".k", d, d);
            this.queryScore = new Dense(p, name + ".query_att", d, heads);
            this.keyScore = new Dense(p, name + ".key_att", d, heads);
            this.transform = new Dense(p, name + ".transform", d, d);
            this.out = new Dense(p, name + ".out", d, d);
            this.heads = heads;
            this.d = d;
        }

        @Override
        public boolean ignoresPadding() {
            return true;
        }

        /** The pooling softmaxes mask padded positions: cropping leading padding is exact. */
        @Override
        public boolean cropsLeadingPadding() {
            return true;
        }

        /** Attention-pools {@code values [B, L, D]} per head with scores {@code [B, L, h]}: {@code [B, 1, D]}. */
        private NDArray pool(NDArray scores, NDArray values, NDArray mask) {
            long b = values.getShape().get(0);
            long len = values.getShape().get(1);
            int dh = d / heads;
            NDArray bias = SelfAttention.paddingBias(mask).reshape(b, len, 1);
            NDArray w = Nn.scale(scores, (float) (1 / Math.sqrt(dh))).add(bias).softmax(1); // over positions
            NDArray v = values.reshape(b, len, heads, dh);
            return w.expandDims(3).mul(v).sum(new int[] {1}).reshape(b, 1, d);
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            NDArray query = q.forward(p, x);
            NDArray key = k.forward(p, x);
            NDArray globalQuery = pool(queryScore.forward(p, query), query, mask); // [B, 1, D]
            NDArray mixedKey = key.mul(globalQuery);
            NDArray globalKey = pool(keyScore.forward(p, mixedKey), mixedKey, mask);
            return out.forward(p, transform.forward(p, globalKey.mul(query)).add(query));
        }
    }

    /** Registry entry {@code fastformer}; trains in the prefix regime like ConvFormer. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("fastformer", "FastFormer (Wu et al. 2021): additive attention as the token mixer");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("heads", 4);
            MetaFormerModel.putLengthGroupDefaults(m);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Hyper h = Hyper.from(params);
            int heads = Hyper.intOf(params, "heads", 4);
            return new MetaFormerModel(name(), manager, numItems, h, (p, n) -> new AdditiveAttention(p, n, h.hidden(), heads))
                    .useLengthGroups(params);
        }

    }
}
