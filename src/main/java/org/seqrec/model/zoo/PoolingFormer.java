package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
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
import org.seqrec.util.SeqrecException;

/**
 * PoolingFormer (Zhang et al., ICML 2021) as the token mixer of the meta-former block, written from
 * its paper as the ConvFormer authors did. Two levels: a sliding-window self-attention in which
 * position i sees keys with {@code |i - j| <= local / 2} (a window of {@code local} positions
 * around it, Table C3's "local convolution kernel size"), then a second attention whose queries are
 * the first level's output and whose keys and values are that output's projections max-pooled over
 * time with size and stride {@code pool}; the two levels are added
 * ({@code Y = H + Attn(H, Pool(H))}, H the first level). Padding is masked in both levels: padded
 * steps never win a max-pool, and a pooled slot holding only padding is masked. Table C3: 2 heads,
 * pool 2 and local 10 on Beauty (Toys: 2 / 20; Sports: 4 / 10; Yelp: 4 / 20).
 *
 * <p>{@code local_mode=conv} reads Table C3's "local convolution kernel size" literally: the first level is then a
 * causal depth-wise convolution of kernel {@code local} (ConvFormer's DWC with zero padding and its N(0, 5e-3)
 * initialisation, over the input with padded steps zeroed, so cropping stays exact), not a window attention; the
 * pooled second level is unchanged. The paper does not say which the ConvFormer authors ran.
 */
public final class PoolingFormer {
    private PoolingFormer() {}

    /** PoolingFormer's two-level (local window, then pooled) attention token mixer. */
    public static final class PoolingAttention implements TokenMixer {
        private final SelfAttention local; // null when the first level is a convolution
        private final ConvFormer.DepthwiseConv conv; // null when it is a window attention
        private final Dense q2;
        private final Dense k2;
        private final Dense v2;
        private final Dense out2;
        private final int pool;
        private final int heads;
        private final int d;
        private final float attnDropout;

        public PoolingAttention(Params p, String name, int d, int heads, int local, int pool, float attnDropout) {
            this(p, name, d, heads, local, pool, attnDropout, false, 0);
        }

        /** With {@code convFirst}, the first level is a causal depth-wise convolution of kernel {@code local} (any length up to maxLen). */
        public PoolingAttention(Params p, String name, int d, int heads, int local, int pool, float attnDropout, boolean convFirst, int maxLen) {
            this.local = convFirst ? null : new SelfAttention(p, name + ".local", d, heads, attnDropout, false, Math.max(1, local / 2));
            this.conv = convFirst
                    ? new ConvFormer.DepthwiseConv(p, name + ".local_conv", d, local, ConvFormer.Padding.ZERO, maxLen, ConvFormer.ConvImpl.CONV1D)
                    : null;
            this.q2 = new Dense(p, name + ".pooled.q", d, d);
            this.k2 = new Dense(p, name + ".pooled.k", d, d);
            this.v2 = new Dense(p, name + ".pooled.v", d, d);
            this.out2 = new Dense(p, name + ".pooled.out", d, d);
            this.pool = pool;
            this.heads = heads;
            this.d = d;
            this.attnDropout = attnDropout;
        }

        @Override
        public boolean ignoresPadding() {
            return true;
        }

        /**
         * Exact when a multiple of the pool size is cropped: the windows attend relatively, padded steps
         * never win a max-pool, all-padding slots are masked, and the pooling slots stay aligned.
         */
        @Override
        public boolean cropsLeadingPadding() {
            return true;
        }

        @Override
        public int cropStep() {
            return pool;
        }

        /** Max-pools {@code x [B, L, D]} over time, padded steps excluded: {@code [B, ceil(L / pool), D]}. */
        private NDArray maxPool(NDArray x, NDArray mask) {
            NDArray excluded = x.add(SelfAttention.paddingBias(mask).expandDims(2)); // padded steps -10000
            Shape k = new Shape(pool);
            return Pool.maxPool1d(excluded.transpose(0, 2, 1), k, k, new Shape(0), true).transpose(0, 2, 1);
        }

        private NDArray second(Params.Bound p, NDArray h, NDArray query, NDArray mask, boolean training) {
            long b = h.getShape().get(0);
            long len = h.getShape().get(1);
            long lq = query.getShape().get(1);
            int dh = d / heads;
            NDArray keys = maxPool(k2.forward(p, h), mask);
            NDArray values = maxPool(v2.forward(p, h), mask);
            long slots = keys.getShape().get(1);
            NDArray slotMask = Pool.maxPool1d(mask.expandDims(1), new Shape(pool), new Shape(pool), new Shape(0), true)
                    .reshape(b, slots); // 1 if the slot holds a real step
            // an all-padding slot holds -10000s: zero its key and value. A key of -10000s gives scores of
            // order 10^4 |q|, which the -10000 mask does not outweigh: the masked slot could take the softmax
            // and its gradient blew the weights up to NaN (seen on Beauty and in the contract test)
            keys = keys.mul(slotMask.expandDims(2));
            values = values.mul(slotMask.expandDims(2));
            NDArray qh = q2.forward(p, query).reshape(b, lq, heads, dh).transpose(0, 2, 1, 3);
            NDArray kh = keys.reshape(b, slots, heads, dh).transpose(0, 2, 1, 3);
            NDArray vh = values.reshape(b, slots, heads, dh).transpose(0, 2, 1, 3);
            NDArray bias = SelfAttention.paddingBias(slotMask).reshape(b, 1, 1, slots);
            NDArray attn = Nn.scale(qh.matMul(kh.transpose(0, 1, 3, 2)), (float) (1 / Math.sqrt(dh))).add(bias).softmax(-1);
            attn = org.seqrec.nn.Nn.dropout(p, attn, attnDropout, training);
            return out2.forward(p, attn.matMul(vh).transpose(0, 2, 1, 3).reshape(b, lq, d));
        }

        /** The first level at every position: the window attention, or the convolution of the input with padded steps zeroed. */
        NDArray first(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            if (conv != null) {
                return conv.mix(p, x.mul(mask.expandDims(2)), mask, training);
            }
            return local.mix(p, x, mask, training);
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            NDArray h = first(p, x, mask, training);
            return h.add(second(p, h, h, mask, training));
        }

        @Override
        public NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            NDArray h = first(p, x, mask, training); // every position: the pooled keys need them
            NDArray last = h.get(new NDIndex(":, -1:, :"));
            return last.add(second(p, h, last, mask, training));
        }
    }

    /** Registry entry {@code poolingformer}; trains in the prefix regime like ConvFormer. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("poolingformer", "PoolingFormer (Zhang et al. 2021): local window attention plus attention over max-pooled keys");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("attn_dropout", 0.5);
            m.put("heads", 2);
            m.put("local", 10);
            m.put("pool", 2);
            m.put("local_mode", "attention");
            MetaFormerModel.putLengthGroupDefaults(m);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Hyper h = Hyper.from(params);
            int heads = Hyper.intOf(params, "heads", 2);
            int local = Hyper.intOf(params, "local", 10);
            int pool = Hyper.intOf(params, "pool", 2);
            String mode = String.valueOf(params.getOrDefault("local_mode", "attention"));
            if (!mode.equals("attention") && !mode.equals("conv")) {
                throw new SeqrecException("poolingformer: local_mode must be attention or conv, got '" + mode + "'");
            }
            if (local < 1 || pool < 1) {
                throw new SeqrecException("poolingformer: local and pool must be at least 1, got " + local + " and " + pool);
            }
            boolean convFirst = mode.equals("conv");
            return new MetaFormerModel(name(), manager, numItems, h, (p, n) -> new PoolingAttention(p, n, h.hidden(), heads, local, pool,
                    h.attnDropout(), convFirst, h.maxLen())).useLengthGroups(params);
        }

    }
}
