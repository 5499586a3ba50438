package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head scaled dot-product self-attention as a token mixer:
 * {@code Dense(Drop_attn(softmax(Q K^T / sqrt(d_head) + bias)) · V)}. The bias is -10000 for padded
 * keys and, when asked for, for future keys (causal) and for keys farther than a window
 * ({@code |i - j| > K}, the ConvFormer paper's Figure 2); with one head and neither this is the SAR
 * mixer of the paper's study.
 */
public final class SelfAttention implements TokenMixer {
    /** The additive bias of a masked score. */
    public static final float MASKED = -10000f;

    private final Dense q;
    private final Dense k;
    private final Dense v;
    private final Dense out;
    private final int heads;
    private final int d;
    private final float attnDropout;
    private final boolean causal;
    private final int window;

    public SelfAttention(Params p, String name, int d, int heads, float attnDropout) {
        this(p, name, d, heads, attnDropout, false, 0);
    }

    /**
     * @param causal position i attends to keys j <= i only
     * @param window if > 0, position i attends to keys with |i - j| <= window only
     */
    public SelfAttention(Params p, String name, int d, int heads, float attnDropout, boolean causal, int window) {
        if (heads < 1 || d % heads != 0) {
            throw new IllegalArgumentException("hidden size " + d + " is not divisible by " + heads + " heads");
        }
        this.q = new Dense(p, name + ".q", d, d);
        this.k = new Dense(p, name + ".k", d, d);
        this.v = new Dense(p, name + ".v", d, d);
        this.out = new Dense(p, name + ".out", d, d);
        this.heads = heads;
        this.d = d;
        this.attnDropout = attnDropout;
        this.causal = causal;
        this.window = window;
    }

    @Override
    public boolean ignoresPadding() {
        return true;
    }

    /** Padded keys are masked and the causal and window masks are relative: cropping is exact. */
    @Override
    public boolean cropsLeadingPadding() {
        return true;
    }

    @Override
    public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
        return attend(p, q.forward(p, x), x, mask, training);
    }

    @Override
    public NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
        return attend(p, q.forward(p, x.get(new NDIndex(":, -1:, :"))), x, mask, training); // one query
    }

    /**
     * Attention whose queries come from {@code queryInput [B, Lq, D]} (the last Lq positions) and keys
     * and values from {@code x [B, L, D]}: SASRec queries with the layer-normalised sequence.
     */
    public NDArray cross(Params.Bound p, NDArray queryInput, NDArray x, NDArray mask, boolean training) {
        return attend(p, q.forward(p, queryInput), x, mask, training);
    }

    /**
     * Queries {@code query [B, Lq, D]} (already projected) (the last Lq positions) against keys and values from
     * {@code kv [B, L, D]}: for attention between two sequences (queries of one, keys and values of the other).
     */
    public NDArray attend(Params.Bound p, NDArray query, NDArray x, NDArray mask, boolean training) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        long lq = query.getShape().get(1);
        NDArray attn = Nn.dropout(p, weights(p, query, x, mask), attnDropout, training);
        NDArray ctx = attn.matMul(split(v.forward(p, x), b, len)).transpose(0, 2, 1, 3).reshape(b, lq, d); // merge heads
        return out.forward(p, ctx);
    }

    /** The attention probabilities {@code [B, heads, L, L]} of input {@code x} (for tests and analysis). */
    public NDArray attentionWeights(Params.Bound p, NDArray x, NDArray mask) {
        return weights(p, q.forward(p, x), x, mask);
    }

    private NDArray weights(Params.Bound p, NDArray query, NDArray x, NDArray mask) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        long lq = query.getShape().get(1);
        NDArray qh = split(query, b, lq); // [B, h, Lq, dh]
        NDArray kh = split(k.forward(p, x), b, len);
        NDArray scores = Nn.scale(qh.matMul(kh.transpose(0, 1, 3, 2)), (float) (1 / Math.sqrt(d / heads))); // [B, h, Lq, L]
        return scores.add(bias(x.getManager(), mask, lq, len, causal, window).toType(scores.getDataType(), false))
                .softmax(-1);
    }

    /** {@code 0} where {@code mask} is 1 (a real item), {@link #MASKED} where it is 0 (padding); same shape. */
    public static NDArray paddingBias(NDArray mask) {
        return Nn.scale(mask.sub(1f), -MASKED);
    }

    /**
     * The additive mask {@code [B, 1, Lq, L]} for queries at the last {@code lq} of {@code len}
     * positions: {@link #MASKED} for padded keys ({@code mask [B, L]}, 1 = real), future keys when
     * {@code causal}, and keys farther than {@code window} when it is positive; 0 elsewhere.
     */
    public static NDArray bias(NDManager m, NDArray mask, long lq, long len, boolean causal, int window) {
        long b = mask.getShape().get(0);
        NDArray keys = paddingBias(mask).reshape(b, 1, 1, len);
        if (!causal && window <= 0) {
            return keys;
        }
        float[] pos = new float[(int) (lq * len)];
        for (int i = 0; i < lq; i++) {
            long qi = len - lq + i; // absolute position of query i
            for (int j = 0; j < len; j++) {
                boolean masked = (causal && j > qi) || (window > 0 && Math.abs(qi - j) > window);
                pos[(int) (i * len + j)] = masked ? MASKED : 0f;
            }
        }
        // a masked key stays masked when both apply: take the smaller bias, not the sum
        return keys.minimum(m.create(pos, new Shape(1, 1, lq, len)));
    }

    private NDArray split(NDArray t, long b, long len) {
        return splitHeads(t, b, len, heads);
    }

    /** {@code [B, L, D]} as {@code [B, heads, L, D / heads]}. */
    public static NDArray splitHeads(NDArray t, long b, long len, int heads) {
        return t.reshape(b, len, heads, t.getShape().get(2) / heads).transpose(0, 2, 1, 3);
    }
}
