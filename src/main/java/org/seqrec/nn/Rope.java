package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding over the whole hidden size: dimensions (2i, 2i+1) of the vector at
 * position p form a complex number multiplied by {@code exp(i · p · θ_i)}, {@code θ_i =
 * 10000^(-i / (D/2))}. Computed as {@code x ⊙ C + pairSwap(x) ⊙ S} with constant {@code C =
 * cos(pθ)} and {@code S = (-sin(pθ), +sin(pθ))} interleaved, so the pass has no slicing.
 */
public final class Rope {
    private Rope() {}

    /** The cos / sin tables by (L, D): the same for every call with that shape. */
    private static final java.util.Map<java.util.List<Integer>, float[][]> TABLES = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code x [B, L, D]} (D even) rotated by its positions 0..L-1. */
    public static NDArray apply(NDArray x) {
        Shape s = x.getShape();
        int len = (int) s.get(1);
        int d = (int) s.get(2);
        if (d % 2 != 0) {
            throw new IllegalArgumentException("RoPE needs an even hidden size, got " + d);
        }
        float[][] cs = TABLES.computeIfAbsent(java.util.List.of(len, d), key -> tables(len, d));
        NDManager m = x.getManager();
        NDArray cos = m.create(cs[0], new Shape(1, len, d)).toType(x.getDataType(), false);
        NDArray sin = m.create(cs[1], new Shape(1, len, d)).toType(x.getDataType(), false);
        NDArray swapped = x.reshape(s.get(0), len, d / 2, 2).flip(3).reshape(s); // (x_{2i+1}, x_{2i})
        return x.mul(cos).add(swapped.mul(sin));
    }

    /** {@code cos} and signed {@code sin} tables, each {@code [L·D]}. */
    static float[][] tables(int len, int d) {
        float[] cos = new float[len * d];
        float[] sin = new float[len * d];
        for (int p = 0; p < len; p++) {
            for (int i = 0; i < d / 2; i++) {
                double angle = p * Math.pow(10000, -(double) i / (d / 2));
                int at = p * d + 2 * i;
                cos[at] = (float) Math.cos(angle);
                cos[at + 1] = (float) Math.cos(angle);
                sin[at] = (float) -Math.sin(angle); // even: x_e cos - x_o sin
                sin[at + 1] = (float) Math.sin(angle); // odd: x_o cos + x_e sin
            }
        }
        return new float[][] {cos, sin};
    }
}
