package org.seqrec.nn;

import ai.djl.ndarray.NDArray;

/** The channel-wise FFN sub-block: {@code W2 · GELU(W1 · x + b1) + b2}, W1: D -> 4D (or another inner size), W2: back to D. */
public final class FeedForward {
    private final Dense up;
    private final Dense down;

    public FeedForward(Params p, String name, int d) {
        this(p, name, d, 4 * d);
    }

    public FeedForward(Params p, String name, int d, int inner) {
        this.up = new Dense(p, name + ".w1", d, inner);
        this.down = new Dense(p, name + ".w2", inner, d);
    }

    public NDArray forward(Params.Bound p, NDArray x) {
        return down.forward(p, Nn.gelu(up.forward(p, x)));
    }
}
