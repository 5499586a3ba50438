package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** A linear map {@code in -> out} with bias; weight N(0, 0.02), bias 0 (the spec's default init). */
public final class Dense {
    private final String w;
    private final String b;

    public Dense(Params p, String name, int in, int out) {
        this.w = p.normal(name + ".weight", new Shape(out, in), 0.02f);
        this.b = p.zeros(name + ".bias", new Shape(out));
    }

    private Dense(String w, String b) {
        this.w = w;
        this.b = b;
    }

    /** A dense map whose weight and bias start from U(-bound, bound) (RecBole's SR-GNN family resets them so). */
    public static Dense uniform(Params p, String name, int in, int out, float bound) {
        return new Dense(p.uniform(name + ".weight", new Shape(out, in), bound), p.uniform(name + ".bias", new Shape(out), bound));
    }

    public NDArray forward(Params.Bound p, NDArray x) {
        return Nn.linear(x, p.get(w), p.get(b));
    }
}
