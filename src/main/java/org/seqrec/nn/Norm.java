package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the hidden axis, weight 1 and bias 0 at start, eps 1e-12. */
public final class Norm {
    private final String g;
    private final String b;

    public Norm(Params p, String name, int d) {
        this.g = p.ones(name + ".weight", new Shape(d));
        this.b = p.zeros(name + ".bias", new Shape(d));
    }

    public NDArray forward(Params.Bound p, NDArray x) {
        return Nn.layerNorm(x, p.get(g), p.get(b));
    }
}
