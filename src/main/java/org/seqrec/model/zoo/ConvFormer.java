package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import java.util.Locale;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;
import org.seqrec.nn.TokenMixer;
import org.seqrec.util.SeqrecException;

/**
 * ConvFormer (LighTCN blocks) and its variants, as models.md defines them: the meta-former block
 * with a depth-wise convolution of kernel K as token mixer ({@code convformer}); the same
 * convolution computed with rfft/irfft ({@code convformer-f}); the ablations Conv-V (full D -> D
 * convolution, {@code conv-v}) and Conv-S (depth-wise then point-wise, {@code conv-s}).
 */
public final class ConvFormer {
    private ConvFormer() {}

    /** How the K-1 steps before the first position are filled. */
    public enum Padding {
        /** the last K-1 steps wrap around to the front */
        CIRCULAR,
        /** mirror image of steps 1..K-1 */
        REFLECT,
        /** zeros */
        ZERO;

        public static Padding parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SeqrecException("unknown padding '" + s + "' (circular, reflect, zero)");
            }
        }
    }

    /** The architectures of this file. */
    public enum Variant {
        CONVFORMER("convformer", "ConvFormer: LighTCN blocks, depth-wise convolution of kernel K (Table C3 defaults)"),
        CONVFORMER_F("convformer-f", "ConvFormer-F: the same block computed with rfft/irfft (cost flat in K)"),
        CONV_V("conv-v", "Conv-V ablation: full D -> D convolution of kernel K"),
        CONV_S("conv-s", "Conv-S ablation: depth-wise convolution then point-wise D -> D");

        final String key;
        final String description;

        Variant(String key, String description) {
            this.key = key;
            this.description = description;
        }
    }

    /**
     * Pads {@code x [B, D, L]} on the left with {@code k - 1} steps: {@code [B, D, L + k - 1]}.
     * Circular and reflect padding are one index-select each.
     */
    static NDArray padLeft(NDArray x, int k, Padding padding) {
        if (k == 1) {
            return x;
        }
        int len = (int) x.getShape().get(2);
        if (padding == Padding.ZERO) {
            return x.pad(new Shape(k - 1, 0), 0);
        }
        if (padding == Padding.REFLECT && k - 1 >= len) {
            throw new SeqrecException("reflect padding needs K - 1 < L, got K = " + k + ", L = " + len);
        }
        long[] idx = new long[len + k - 1];
        for (int i = 0; i < k - 1; i++) {
            idx[i] = padding == Padding.CIRCULAR ? Math.floorMod(len - (k - 1) + i, len) : k - 1 - i;
        }
        for (int t = 0; t < len; t++) {
            idx[k - 1 + t] = t;
        }
        return x.get(new ai.djl.ndarray.index.NDIndex(":, :, {}", x.getManager().create(idx)));
    }

    private static NDArray conv(NDArray x, NDArray w, NDArray b, int k, Padding padding, int groups) {
        NDArray t = padLeft(x.transpose(0, 2, 1), k, padding); // [B, D, L + K - 1]
        NDArray y = Conv1d.conv1d(t, w, b, new Shape(1), new Shape(0), new Shape(1), groups).singletonOrThrow();
        return y.transpose(0, 2, 1);
    }

    /** How the depth-wise convolution is computed; both give the same numbers. */
    public enum ConvImpl {
        /** the engine's grouped Conv1d on the padded input */
        CONV1D,
        /**
         * a banded (Toeplitz / circulant) matrix per channel, {@code T_d = S · w_d}, applied as one
         * batched matrix product: far faster than the grouped convolution's backward pass on CPU for
         * short sequences, memory {@code D·L²}
         */
        TOEPLITZ,
        /** TOEPLITZ for L <= 200, else CONV1D */
        AUTO;

        public static ConvImpl parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SeqrecException("unknown conv_impl '" + s + "' (auto, conv1d, toeplitz)");
            }
        }
    }

    /**
     * The selection tensor of a padded depth-wise convolution: {@code S[j, t·L + s]} counts how often
     * tap {@code j} at output {@code t} reads input step {@code s}, so the per-channel matrix is
     * {@code T_d[t, s] = Σ_j w_d[j] S[j, t·L + s]} and {@code y_d = T_d x_d}.
     */
    static float[] selection(int len, int k, Padding padding) {
        float[] s = new float[k * len * len];
        for (int t = 0; t < len; t++) {
            for (int j = 0; j < k; j++) {
                int q = t + j; // index into the left-padded input
                int src;
                if (q >= k - 1) {
                    src = q - (k - 1);
                } else if (padding == Padding.CIRCULAR) {
                    src = Math.floorMod(len - (k - 1) + q, len);
                } else if (padding == Padding.REFLECT) {
                    src = k - 1 - q;
                } else {
                    continue; // zero padding reads nothing
                }
                s[j * len * len + t * len + src] += 1f;
            }
        }
        return s;
    }

    /** LighTCN's DWC: one kernel of size K per channel, with bias, weights N(0, 5e-3). */
    public static final class DepthwiseConv implements TokenMixer {
        final String w;
        final String b;
        final int k;
        final Padding padding;
        final int d;
        final int len;
        final ConvImpl impl;
        private final NDArray select; // [K, L*L], TOEPLITZ only
        private final NDArray selectLast; // [K, L]: the rows of output step L-1

        public DepthwiseConv(Params p, String name, int d, int k, Padding padding, int len, ConvImpl impl) {
            this.w = p.normal(name + ".weight", new Shape(d, 1, k), 5e-3f);
            this.b = p.normal(name + ".bias", new Shape(d), 5e-3f);
            this.k = k;
            this.padding = padding;
            this.d = d;
            this.len = len;
            this.impl = impl == ConvImpl.AUTO ? (len <= 200 ? ConvImpl.TOEPLITZ : ConvImpl.CONV1D) : impl;
            if (this.impl == ConvImpl.TOEPLITZ) {
                float[] s = selection(len, k, padding);
                this.select = p.manager().create(s, new Shape(k, (long) len * len));
                float[] last = new float[k * len];
                for (int j = 0; j < k; j++) {
                    System.arraycopy(s, j * len * len + (len - 1) * len, last, j * len, len);
                }
                this.selectLast = p.manager().create(last, new Shape(k, len));
            } else {
                this.select = null;
                this.selectLast = null;
            }
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            if (impl == ConvImpl.CONV1D) {
                return conv(x, p.get(w), p.get(b), k, padding, d);
            }
            checkLength(x);
            NDArray kernel = p.get(w).reshape(d, k); // [D, K]
            NDArray toeplitz = kernel.matMul(select).reshape(d, len, len); // [D, L(t), L(s)]
            // [D, B, L(t)] = x_d T_d^T, channel-batched, in the layouts that keep the product's operands and its
            // gradient contiguous (Nn.channelsFirst / channelsLast)
            NDArray y = Nn.channelsFirst(x).batchMatMul(toeplitz.transpose(0, 2, 1));
            return Nn.channelsLast(y).add(p.get(b));
        }

        @Override
        public NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            if (impl == ConvImpl.CONV1D) {
                return TokenMixer.super.mixLast(p, x, mask, training);
            }
            checkLength(x);
            NDArray rows = p.get(w).reshape(d, k).matMul(selectLast).transpose(); // [L(s), D]
            return x.mul(rows).sum(new int[] {1}, true).add(p.get(b)); // [B, 1, D]
        }

        private void checkLength(NDArray x) {
            if (x.getShape().get(1) != len) {
                throw new IllegalArgumentException("built for L = " + len + ", got " + x.getShape());
            }
        }
    }

    /**
     * ConvFormer-F: {@code irfft(rfft(R) ⊙ rfft(C padded to L))}, a circular convolution equal to
     * the circular DWC with the kernel reversed in time. Kernel {@code C [K, D]} and bias N(0, 0.02).
     *
     * <p>Padding. The model zeroes the padded embeddings, so in the first block every position
     * {@code t} of a row whose circular window {@code t-K+1 .. t} holds only padding (for a row with
     * {@code n} items, {@code K-1 <= t < L-n}; every position of an empty history) reads only exact
     * zeros. The direct DWC ({@link DepthwiseConv}) then gives exactly the bias there, but the FFT
     * gives the bias plus rounding noise of about 1e-8..1e-7 from the row's real items. The block's
     * LayerNorm (eps 1e-12) divides by the spread of that row across channels: with a small or
     * channel-constant bias (the authors' FFT layer has none; imported, it is 0) the noise comes
     * out as O(0.05..1) values, and the next block's circular window reads them at real positions.
     * On the first 512 Beauty users (L 50, K 45, 77% of the positions padding) with bias 0 that
     * moved the user representations by up to 0.05 and 162 of the 512 test-target ranks between
     * this path and the direct one ({@code ConvFormerFftPaddingTest}).
     *
     * <p>The authors' code ({@code FConvLayer}, no bias, {@code zero_pad=1}) does nothing about it:
     * its padded positions carry the FFT library's rounding through the LayerNorm. seqrec instead
     * sets the convolution to exactly 0, before the bias, wherever the circular window reads only
     * rows that are exactly zero in every channel, which is what the direct DWC computes there (a
     * sum of products with zeros), so both paths feed the LayerNorm the same exact values. Nothing
     * else changes: real positions, and padded positions whose window wraps around to the row's
     * items, keep the FFT's value; from the second block on no row is zero in practice and
     * nothing is set.
     * The rows are found from the values ({@code x != 0}), not from the mask, so the rule is right
     * in every block. Gradients are those of the plain FFT (the correction is taken out of the
     * graph), i.e. the direct path's; the cost is a few element-wise passes and a running count
     * over {@code [B, L]} (integers, exact in float), flat in K like the FFT.
     */
    public static final class FftConv implements TokenMixer {
        final String c;
        final String b;
        final int k;

        public FftConv(Params p, String name, int d, int k) {
            this.c = p.normal(name + ".kernel", new Shape(k, d), 0.02f);
            this.b = p.normal(name + ".bias", new Shape(d), 0.02f);
            this.k = k;
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            long len = x.getShape().get(1);
            if (k > len) {
                throw new SeqrecException("ConvFormer-F needs K <= L, got K = " + k + ", L = " + len);
            }
            NDArray fx = x.rfft(len, 1); // [B, L/2+1, D] complex
            NDArray fc = p.get(c).rfft(len, 0); // [L/2+1, D], zero-padded to L
            NDArray y = fx.mul(fc).irfft(len, 1);
            // exactly 0 where the window reads only zero rows (the direct convolution's value); the
            // correction is out of the graph, so gradients stay those of the FFT
            y = y.sub(y.stopGradient().mul(zeroWindows(x, k)));
            return y.add(p.get(b));
        }

        /**
         * {@code [B, L, 1]} float: 1 at the positions whose circular window {@code t-K+1 .. t} holds
         * only rows of {@code x [B, L, D]} that are exactly zero in every channel, else 0.
         */
        static NDArray zeroWindows(NDArray x, int k) {
            long rows = x.getShape().get(0);
            long len = x.getShape().get(1);
            NDArray nonZero = x.neq(0f).toType(DataType.FLOAT32, false).max(new int[] {2}); // [B, L] 0/1
            // the row with its last K-1 steps in front (the circular window) and a 0 before: a running
            // count of non-zero rows, whose differences K apart are the windows' counts (exact in float)
            NDArray ext = nonZero;
            if (k > 1) {
                ext = nonZero.get(new NDIndex(":, " + (len - (k - 1)) + ":")).concat(nonZero, 1);
            }
            NDArray run = x.getManager().zeros(new Shape(rows, 1)).concat(ext, 1).cumSum(1); // [B, L + K]
            NDArray reads = run.get(new NDIndex(":, " + k + ":")).sub(run.get(new NDIndex(":, :" + len))); // [B, L]
            return reads.eq(0f).toType(DataType.FLOAT32, false).expandDims(2);
        }
    }

    /** Conv-V: a full convolution D -> D channels with kernel K. */
    public static final class FullConv implements TokenMixer {
        final String w;
        final String b;
        final int k;
        final Padding padding;

        public FullConv(Params p, String name, int d, int k, Padding padding) {
            this.w = p.normal(name + ".weight", new Shape(d, d, k), 5e-3f);
            this.b = p.normal(name + ".bias", new Shape(d), 5e-3f);
            this.k = k;
            this.padding = padding;
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return conv(x, p.get(w), p.get(b), k, padding, 1);
        }
    }

    /** Conv-S: the DWC followed by a point-wise (1x1) D -> D convolution. */
    public static final class SeparableConv implements TokenMixer {
        final DepthwiseConv depthwise;
        final org.seqrec.nn.Dense pointwise;

        public SeparableConv(Params p, String name, int d, int k, Padding padding, int len, ConvImpl impl) {
            this.depthwise = new DepthwiseConv(p, name + ".depthwise", d, k, padding, len, impl);
            this.pointwise = new org.seqrec.nn.Dense(p, name + ".pointwise", d, d);
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return pointwise.forward(p, depthwise.mix(p, x, mask, training));
        }
    }

    /** Builds the model of a variant for a run's params. */
    public static MetaFormerModel build(Variant v, NDManager manager, int numItems, Map<String, Object> params) {
        Hyper h = Hyper.from(params);
        int k = Hyper.intOf(params, "kernel", 45);
        Padding padding = Padding.parse(String.valueOf(params.getOrDefault("padding", "circular")));
        if (k < 1 || k > h.maxLen()) {
            throw new SeqrecException("kernel K must be in 1..L = " + h.maxLen() + ", got " + k);
        }
        if (padding == Padding.REFLECT && k - 1 >= h.maxLen()) {
            throw new SeqrecException("reflect padding needs K - 1 < L, got K = " + k + ", L = " + h.maxLen());
        }
        int d = h.hidden();
        int len = h.maxLen();
        ConvImpl impl = ConvImpl.parse(String.valueOf(params.getOrDefault("conv_impl", "auto")));
        TokenMixer.Factory mixer;
        switch (v) {
            case CONVFORMER:
                mixer = (p, name) -> new DepthwiseConv(p, name, d, k, padding, len, impl);
                break;
            case CONVFORMER_F:
                if (padding != Padding.CIRCULAR) {
                    throw new SeqrecException("convformer-f computes a circular convolution: --padding must be circular");
                }
                mixer = (p, name) -> new FftConv(p, name, d, k);
                break;
            case CONV_V:
                mixer = (p, name) -> new FullConv(p, name, d, k, padding);
                break;
            default:
                mixer = (p, name) -> new SeparableConv(p, name, d, k, padding, len, impl);
                break;
        }
        return new MetaFormerModel(v.key, manager, numItems, h, mixer);
    }

    /** Registry entry for one variant; trains in the prefix regime. */
    public static final class Spec extends NeuralSpec {
        private final Variant variant;

        public Spec(Variant variant) {
            super(variant.key, variant.description);
            this.variant = variant;
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("kernel", 45);
            m.put("padding", "circular");
            m.put("conv_impl", "auto");
            return m;
        }

        /** Table C3's kernel per dataset: K = 45 on Beauty, 30 on the others. */
        @Override
        public Map<String, Map<String, Object>> presets() {
            Map<String, Map<String, Object>> all = new java.util.LinkedHashMap<>();
            for (String data : new String[] {"beauty", "sports", "toys", "yelp"}) {
                all.put(data, Map.of("kernel", data.equals("beauty") ? 45 : 30));
            }
            return all;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return ConvFormer.build(variant, manager, numItems, params);
        }

    }
}
