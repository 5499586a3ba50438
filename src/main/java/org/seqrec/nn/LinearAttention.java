package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * Multi-head linear attention with the {@code ELU + 1} feature map (LinRec-style, Katharopoulos et
 * al.): {@code out_i = Dense(φ(q_i) Σ_j φ(k_j)^T v_j / (φ(q_i) · Σ_j φ(k_j) + 1e-6))} over the real
 * (unpadded) positions j, computed as {@code φ(Q) (φ(K)^T V)}: no L×L array, cost linear in L.
 * Not causal: for regimes that read one position of inputs that are all history (prefix-CE).
 */
public final class LinearAttention {
    private final Dense q;
    private final Dense k;
    private final Dense v;
    private final Dense out;
    private final int heads;
    private final int d;

    public LinearAttention(Params p, String name, int d, int heads) {
        if (heads < 1 || d % heads != 0) {
            throw new IllegalArgumentException("hidden size " + d + " is not divisible by " + heads + " heads");
        }
        this.q = new Dense(p, name + ".q", d, d);
        this.k = new Dense(p, name + ".k", d, d);
        this.v = new Dense(p, name + ".v", d, d);
        this.out = new Dense(p, name + ".out", d, d);
        this.heads = heads;
        this.d = d;
    }

    /** Queries from {@code queryInput [B, L, D]}, keys and values from {@code x [B, L, D]}; {@code mask [B, L]} 1 = real. */
    public NDArray attend(Params.Bound p, NDArray queryInput, NDArray x, NDArray mask) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        NDArray keep = mask.expandDims(2);
        NDArray qh = split(Activation.elu(q.forward(p, queryInput), 1f).add(1f), b, len);
        NDArray kh = split(Activation.elu(k.forward(p, x), 1f).add(1f).mul(keep), b, len);
        NDArray vh = split(v.forward(p, x).mul(keep), b, len);
        NDArray kv = kh.transpose(0, 1, 3, 2).matMul(vh); // [B, h, dh, dh]
        NDArray norm = qh.matMul(kh.sum(new int[] {2}, true).transpose(0, 1, 3, 2)).add(1e-6f); // [B, h, L, 1]
        NDArray ctx = qh.matMul(kv).div(norm).transpose(0, 2, 1, 3).reshape(b, len, d);
        return out.forward(p, ctx);
    }

    private NDArray split(NDArray t, long b, long len) {
        return SelfAttention.splitHeads(t, b, len, heads);
    }
}
