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
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;
import org.seqrec.nn.TokenMixer;
import org.seqrec.util.SeqrecException;

/**
 * The SAR family of the ConvFormer paper's study (section 3, appendix C.2; models.md): the
 * meta-former block with a one-head attention-like mixer {@code Dense(Drop_attn(A) · (R W_V + b_V))}
 * whose matrix {@code A} is made in different ways, padded keys masked. All train in the prefix
 * regime with the Table C3 settings.
 */
public final class Sar {
    private Sar() {}

    public enum Variant {
        SAR("sar", "SAR: one-head self-attention, A = softmax(Q K^T / sqrt(D)) (--window K masks |i-j| > K)"),
        SAR_O("sar-o", "SAR-O: A = softmax(P), P a trainable L x L matrix"),
        SAR_P("sar-p", "SAR-P: A = softmax(R W_P + b_P), each position makes its own row"),
        SAR_R("sar-r", "SAR-R: A = softmax(P), P random and frozen"),
        SAR_W("sar-w", "SAR-W: no token mixing, Dense(R W_V + b_V)"),
        SAR_N("sar-n", "SAR-N: separate Q, K, V maps for every position"),
        SAR_N_PLUS("sar-n-plus", "SAR-N+: Q, K, V each from one dense map of the flattened sequence");

        final String key;
        final String description;

        Variant(String key, String description) {
            this.key = key;
            this.description = description;
        }
    }

    /** {@code softmax(logits + bias)} over keys, padded keys ({@code mask [B, L]} = 0) biased by -10000. */
    static NDArray attention(NDArray logits, NDArray mask) {
        long b = mask.getShape().get(0);
        long len = mask.getShape().get(1);
        return logits.add(SelfAttention.paddingBias(mask).reshape(b, 1, len)).softmax(-1);
    }

    /** {@code Dense(Drop_attn(A) · values)}: the mixing step every variant shares. */
    static NDArray mixWith(Params.Bound p, NDArray a, NDArray values, Dense out, float attnDropout, boolean training) {
        return out.forward(p, Nn.dropout(p, a, attnDropout, training).matMul(values));
    }

    /** A mixer whose output rows for the last {@code lq} positions come from one computation. */
    abstract static class RowMixer implements TokenMixer {
        /** The mixer's output at the last {@code lq} positions, {@code [B, lq, D]}. */
        abstract NDArray apply(Params.Bound p, NDArray x, NDArray mask, boolean training, long lq);

        @Override
        public boolean ignoresPadding() {
            return true;
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return apply(p, x, mask, training, x.getShape().get(1));
        }

        @Override
        public NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return apply(p, x, mask, training, 1);
        }
    }

    /**
     * {@code Dense(Drop_attn(softmax(logits + padding mask)) · (R W_V + b_V))} for a matrix of
     * logits given by the subclass: the part SAR-O, SAR-R and SAR-P share.
     */
    abstract static class MatrixMixer extends RowMixer {
        private final Dense v;
        private final Dense out;
        private final float attnDropout;

        MatrixMixer(Params p, String name, int d, float attnDropout) {
            this.v = new Dense(p, name + ".v", d, d);
            this.out = new Dense(p, name + ".out", d, d);
            this.attnDropout = attnDropout;
        }

        /**
         * Logits of the rows of A for the last {@code lq} positions: {@code [B or 1, lq, w]}, where
         * {@code w} is the width of {@code x} (the last {@code w} positions of the window).
         */
        abstract NDArray logits(Params.Bound p, NDArray x, long lq);

        /** The rows of A for the last {@code lq} positions, {@code [B, lq, w]} (tests read them). */
        NDArray weights(Params.Bound p, NDArray x, NDArray mask, long lq) {
            return attention(logits(p, x, lq), mask);
        }

        @Override
        NDArray apply(Params.Bound p, NDArray x, NDArray mask, boolean training, long lq) {
            return mixWith(p, weights(p, x, mask, lq), v.forward(p, x), out, attnDropout, training);
        }

    }

    /** SAR-O (trainable) and SAR-R (frozen): a fixed L x L matrix of logits. */
    static final class OrderMixer extends MatrixMixer {
        final String matrix;

        OrderMixer(Params p, String name, int d, int len, float attnDropout, boolean trainable, float std) {
            super(p, name, d, attnDropout);
            Shape shape = new Shape(len, len);
            this.matrix = trainable ? p.normal(name + ".order", shape, std) : p.frozenNormal(name + ".order", shape, std);
        }

        @Override
        public boolean cropsLeadingPadding() {
            return true;
        }

        @Override
        NDArray logits(Params.Bound p, NDArray x, long lq) {
            NDArray w = p.get(matrix);
            long width = x.getShape().get(1);
            return (lq == w.getShape().get(0) && width == w.getShape().get(1) ? w
                    : w.get(new NDIndex("-" + lq + ":, -" + width + ":"))).expandDims(0);
        }
    }

    /** SAR-P: each position's row of logits from its own state, {@code R W_P + b_P}, W_P: D -> L. */
    static final class PersonalMixer extends MatrixMixer {
        final Dense rows;

        PersonalMixer(Params p, String name, int d, int len, float attnDropout) {
            super(p, name, d, attnDropout);
            this.rows = new Dense(p, name + ".rows", d, len);
        }

        @Override
        public boolean cropsLeadingPadding() {
            return true;
        }

        @Override
        NDArray logits(Params.Bound p, NDArray x, long lq) {
            long width = x.getShape().get(1);
            NDArray logits = rows.forward(p, lq == width ? x : x.get(new NDIndex(":, -" + lq + ":, :")));
            return width == logits.getShape().get(2) ? logits : logits.get(new NDIndex(":, :, -" + width + ":"));
        }
    }

    /** SAR-W: no mixing across positions, {@code Dense(R W_V + b_V)}. */
    static final class NoMixer implements TokenMixer {
        final Dense v;
        final Dense out;

        NoMixer(Params p, String name, int d) {
            this.v = new Dense(p, name + ".v", d, d);
            this.out = new Dense(p, name + ".out", d, d);
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
            return out.forward(p, v.forward(p, x));
        }

        @Override
        public NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return mix(p, x.get(new NDIndex(":, -1:, :")), mask, training);
        }
    }

    /**
     * SAR-N and SAR-N+: one-head attention whose Q, K, V maps are not shared over time steps,
     * either one D x D map per position (SAR-N) or one (L·D) x (L·D) map of the flattened sequence
     * (SAR-N+).
     */
    static final class UnsharedAttention extends RowMixer {
        final String[] w = new String[3];
        final String[] b = new String[3];
        final Dense out;
        final boolean flat;
        final int d;
        final float attnDropout;

        UnsharedAttention(Params p, String name, int d, int len, float attnDropout, boolean flat) {
            String[] qkv = {"q", "k", "v"};
            for (int i = 0; i < 3; i++) {
                Shape ws = flat ? new Shape((long) len * d, (long) len * d) : new Shape(len, d, d);
                w[i] = p.normal(name + "." + qkv[i] + ".weight", ws, 0.02f);
                b[i] = p.zeros(name + "." + qkv[i] + ".bias", flat ? new Shape((long) len * d) : new Shape(len, d));
            }
            this.out = new Dense(p, name + ".out", d, d);
            this.flat = flat;
            this.d = d;
            this.attnDropout = attnDropout;
        }

        /** SAR-N's maps are per position (it reads the last w); SAR-N+'s map of the whole window is not. */
        @Override
        public boolean cropsLeadingPadding() {
            return !flat;
        }

        /** Projection {@code i} of {@code x [B, w, D]} (the last w positions) for every position: {@code [B, w, D]}. */
        private NDArray project(Params.Bound p, NDArray x, int i) {
            long bs = x.getShape().get(0);
            long len = x.getShape().get(1);
            if (flat) { // [B, L·D] x W^T + b, W stored [out, in]
                return Nn.linear(x.reshape(bs, len * d), p.get(w[i]), p.get(b[i])).reshape(bs, len, d);
            }
            // position l: x_l W[l] + b[l], as one batched product over positions [w, B, D] x [w, D, D]
            NDArray wi = p.get(w[i]);
            NDArray bi = p.get(b[i]);
            if (len < wi.getShape().get(0)) {
                wi = wi.get(new NDIndex("-" + len + ":, :, :"));
                bi = bi.get(new NDIndex("-" + len + ":, :"));
            }
            return x.transpose(1, 0, 2).batchMatMul(wi).transpose(1, 0, 2).add(bi);
        }

        @Override
        NDArray apply(Params.Bound p, NDArray x, NDArray mask, boolean training, long lq) {
            long len = x.getShape().get(1);
            NDArray q = project(p, x, 0);
            if (lq < len) {
                q = q.get(new NDIndex(":, -" + lq + ":, :"));
            }
            NDArray a = attention(Nn.scale(q.matMul(project(p, x, 1).transpose(0, 2, 1)), (float) (1 / Math.sqrt(d))), mask);
            return mixWith(p, a, project(p, x, 2), out, attnDropout, training);
        }

    }

    /** The model of a variant for a run's params. */
    public static MetaFormerModel build(Variant v, NDManager manager, int numItems, Map<String, Object> params) {
        Hyper h = Hyper.from(params);
        int d = h.hidden();
        int len = h.maxLen();
        float ad = h.attnDropout();
        int window = Hyper.intOf(params, "window", 0);
        int heads = Hyper.intOf(params, "heads", 1);
        if (window > 0 && v != Variant.SAR) {
            throw new SeqrecException("--window applies to sar only, not " + v.key);
        }
        if (heads != 1 && v != Variant.SAR) {
            throw new SeqrecException(v.key + " has one head (its matrix A is not split); --heads applies to sar");
        }
        float std = Hyper.floatOf(params, "order_std", 0.02f);
        TokenMixer.Factory mixer;
        switch (v) {
            case SAR:
                mixer = (p, name) -> new SelfAttention(p, name, d, heads, ad, false, window);
                break;
            case SAR_O:
                mixer = (p, name) -> new OrderMixer(p, name, d, len, ad, true, std);
                break;
            case SAR_R:
                mixer = (p, name) -> new OrderMixer(p, name, d, len, ad, false, std);
                break;
            case SAR_P:
                mixer = (p, name) -> new PersonalMixer(p, name, d, len, ad);
                break;
            case SAR_W:
                mixer = (p, name) -> new NoMixer(p, name, d);
                break;
            case SAR_N:
                mixer = (p, name) -> new UnsharedAttention(p, name, d, len, ad, false);
                break;
            default:
                mixer = (p, name) -> new UnsharedAttention(p, name, d, len, ad, true);
                break;
        }
        return new MetaFormerModel(v.key, manager, numItems, h, mixer).useLengthGroups(params);
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
            m.put("attn_dropout", 0.5);
            m.put("heads", 1);
            if (variant == Variant.SAR) {
                m.put("window", 0);
            }
            if (variant == Variant.SAR_O || variant == Variant.SAR_R) {
                m.put("order_std", 0.02);
            }
            if (variant != Variant.SAR_N_PLUS) { // rows encoded in groups cropped to their length: exact, faster
                MetaFormerModel.putLengthGroupDefaults(m);
            }
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return Sar.build(variant, manager, numItems, params);
        }

    }
}
