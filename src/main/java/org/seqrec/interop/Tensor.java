package org.seqrec.interop;

import java.util.Arrays;

/**
 * A tensor read from (or to be written to) a checkpoint file, contiguous in row-major order: floating
 * types as float32 values ({@code float64}, {@code float16} and {@code bfloat16} converted), integer and
 * boolean types as longs.
 *
 * @param dtype the file's element type, in PyTorch's words ({@code float32}, {@code int64}, ...)
 * @param floats the values of a floating tensor, else null
 * @param longs the values of an integer or boolean tensor, else null
 */
public record Tensor(String dtype, long[] shape, float[] floats, long[] longs) {
    public Tensor {
        long n = numel(shape);
        long have = floats != null ? floats.length : longs != null ? longs.length : -1;
        if (have != n) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + n + " values, got " + have);
        }
    }

    /** A float32 tensor. */
    public static Tensor of(long[] shape, float[] values) {
        return new Tensor("float32", shape, values, null);
    }

    public boolean isFloating() {
        return floats != null;
    }

    public long numel() {
        return numel(shape);
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** The shape as {@code [a, b]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    /** The values as floats (integer tensors converted), for checks such as an all-zero buffer. */
    public float[] asFloats() {
        if (floats != null) {
            return floats;
        }
        float[] out = new float[longs.length];
        for (int i = 0; i < longs.length; i++) {
            out[i] = longs[i];
        }
        return out;
    }
}
