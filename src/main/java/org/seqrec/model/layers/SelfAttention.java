package org.seqrec.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Multi-head scaled dot-product self-attention as a token mixer:
 * {@code Dense(Drop_attn(softmax(Q K^T / sqrt(d_head) + mask)) · V)}, padded keys masked with
 * -10000 before the softmax, no causal mask (the prefix regime reads position L-1 only). With one
 * head this is the SAR mixer of the ConvFormer paper's study.
 */
public final class SelfAttention implements TokenMixer {
    private final Dense q;
    private final Dense k;
    private final Dense v;
    private final Dense out;
    private final int heads;
    private final int d;
    private final float attnDropout;

    public SelfAttention(Params p, String name, int d, int heads, float attnDropout) {
        if (d % heads != 0) {
            throw new IllegalArgumentException("hidden size " + d + " is not divisible by " + heads + " heads");
        }
        this.q = new Dense(p, name + ".q", d, d);
        this.k = new Dense(p, name + ".k", d, d);
        this.v = new Dense(p, name + ".v", d, d);
        this.out = new Dense(p, name + ".out", d, d);
        this.heads = heads;
        this.d = d;
        this.attnDropout = attnDropout;
    }

    @Override
    public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
        return attend(p, q.forward(p, x), x, mask, training);
    }

    @Override
    public NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
        return attend(p, q.forward(p, x.get(new NDIndex(":, -1:, :"))), x, mask, training); // one query
    }

    private NDArray attend(Params.Bound p, NDArray query, NDArray x, NDArray mask, boolean training) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        long lq = query.getShape().get(1);
        int dh = d / heads;
        NDArray qh = split(query, b, lq, dh); // [B, h, Lq, dh]
        NDArray kh = split(k.forward(p, x), b, len, dh);
        NDArray vh = split(v.forward(p, x), b, len, dh);
        NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2)).div((float) Math.sqrt(dh)); // [B, h, Lq, L]
        if (mask != null) {
            // 0 for real keys, -10000 for padded ones, broadcast over heads and queries
            NDArray keyMask = mask.sub(1f).mul(10000f).reshape(b, 1, 1, len);
            scores = scores.add(keyMask);
        }
        NDArray attn = Nn.dropout(p, scores.softmax(-1), attnDropout, training);
        NDArray ctx = attn.matMul(vh).transpose(0, 2, 1, 3).reshape(b, lq, d); // merge heads
        return out.forward(p, ctx);
    }

    private NDArray split(NDArray t, long b, long len, int dh) {
        return t.reshape(b, len, heads, dh).transpose(0, 2, 1, 3);
    }
}
