package org.seqrec.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import org.seqrec.data.SplitMix64;

/** Thin functional wrappers over the engine's fused operators. */
public final class Nn {
    /** The spec's LayerNorm epsilon. */
    public static final float LN_EPS = 1e-12f;

    private Nn() {}

    /** {@code x W^T + b}, W stored as [out, in] (PyTorch layout). */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return Linear.linear(x, w, b).singletonOrThrow();
    }

    /** LayerNorm over the last axis. */
    public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        long d = x.getShape().get(x.getShape().dimension() - 1);
        return LayerNorm.layerNorm(x, new Shape(d), gamma, beta, LN_EPS).singletonOrThrow();
    }

    /** How {@link #dropout} draws its keep-masks. */
    public enum DropoutMasks {
        /**
         * {@code uniform(0, 1) >= rate} from the engine's generator, scaled and multiplied in (on the
         * engine's device; the default off the CPU). The engine's {@code uniform_} draws one
         * Mersenne-Twister variate per element on one thread.
         */
        UNIFORM,
        /** The engine's dropout operator ({@code aten::dropout}): one Bernoulli variate per element, the slowest. */
        ENGINE,
        /**
         * The default on the CPU: drawn on the host from the pass's {@link Params.Bound#dropoutRng}
         * (SplitMix64, 16 bits per element, a function of the seed and the epoch like the engine's
         * per-epoch seed, so resume stays exact), then one multiply in the engine: the fastest of the
         * three on the CPU ({@code bench/dropout-masks.sh}, {@code bench/results/dropout-masks.md}). (Before the {@link #scale} fix, SAR trained this way blew up to inf within about
         * 100 steps: its {@code 1/sqrt(D)} scalar was read from freed memory, more often the more
         * garbage a step made, and host masks make a lot. After the fix it trains like the others.)
         */
        HOST
    }

    /** {@code -Dseqrec.dropout=uniform|engine|host}; host unless set (uniform off the CPU). */
    static final DropoutMasks DROPOUT_MASKS = dropoutMasks(System.getProperty("seqrec.dropout", "host"));

    static DropoutMasks dropoutMasks(String name) {
        try {
            return DropoutMasks.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new org.seqrec.util.SeqrecException("-Dseqrec.dropout must be uniform, engine or host, got '" + name + "'");
        }
    }

    /**
     * A GRU (PyTorch's equations) over {@code x [B, L, in]} from a zero start state, by the engine's op, batch first:
     * every position's state of the last layer, {@code [B, L, hidden]}. {@code weights} names the bound weights in
     * PyTorch's order per layer ({@code w_ih, w_hh} and, with {@code bias}, {@code b_ih, b_hh}). The op runs in
     * training mode whenever autograd records (cuDNN refuses a backward pass through an eval-mode GRU); without dropout
     * both modes compute the same states.
     */
    public static NDArray gru(Params.Bound p, java.util.List<String> weights, NDArray x, int layers, long hidden, boolean bias) {
        ai.djl.ndarray.NDList w = new ai.djl.ndarray.NDList();
        for (String name : weights) {
            w.add(p.get(name));
        }
        NDArray h0 = p.manager().zeros(new Shape(layers, x.getShape().get(0), hidden), x.getDataType());
        boolean train = ai.djl.pytorch.jni.JniUtils.isGradMode();
        return x.getNDArrayInternal().gru(x, h0, w, bias, layers, 0.0, train, false, true).get(0);
    }

    /** Inverted dropout: each element kept with probability {@code 1 - rate} and scaled by {@code 1 / (1 - rate)}. */
    public static NDArray dropout(Params.Bound p, NDArray x, float rate, boolean training) {
        return dropout(p, x, rate, training, DROPOUT_MASKS);
    }

    /** {@link #dropout(Params.Bound, NDArray, float, boolean)} with the masks drawn as {@code masks} says. */
    static NDArray dropout(Params.Bound p, NDArray x, float rate, boolean training, DropoutMasks masks) {
        if (!training || rate <= 0f) {
            return x;
        }
        if (rate >= 1f) {
            return x.zerosLike();
        }
        SplitMix64 rng = p.dropoutRng();
        if (masks == DropoutMasks.ENGINE) {
            return Dropout.dropout(x, rate, true).singletonOrThrow();
        }
        if (masks == DropoutMasks.HOST && rng != null && x.getDevice().equals(Device.cpu())) {
            return x.mul(x.getManager().create(mask(rng, (int) x.getShape().size(), rate), x.getShape()));
        }
        NDManager m = x.getManager();
        NDArray keep = m.randomUniform(0f, 1f, x.getShape(), x.getDataType())
                .gte(m.full(new Shape(), rate, x.getDataType())).toType(x.getDataType(), false);
        return x.mul(scale(keep, 1f / (1f - rate)));
    }

    /** Keep-mask values: {@code 1 / (1 - rate)} with probability {@code 1 - rate}, else 0. */
    static float[] mask(SplitMix64 rng, int n, float rate) {
        float[] mask = new float[n];
        // values[1] where the 16-bit draw is below the threshold (dropped), else values[0]: a table
        // lookup instead of a branch that a rate of 0.5 mispredicts half the time
        float[] values = {1f / (1f - rate), 0f};
        int threshold = Math.round(rate * 65536f);
        int whole = n & ~3;
        int i = 0;
        while (i < whole) {
            long bits = rng.nextLong();
            mask[i] = values[(((int) bits & 0xFFFF) - threshold) >>> 31];
            mask[i + 1] = values[(((int) (bits >>> 16) & 0xFFFF) - threshold) >>> 31];
            mask[i + 2] = values[(((int) (bits >>> 32) & 0xFFFF) - threshold) >>> 31];
            mask[i + 3] = values[(((int) (bits >>> 48) & 0xFFFF) - threshold) >>> 31];
            i += 4;
        }
        if (i < n) {
            long bits = rng.nextLong();
            for (int j = 0; i < n; j++, i++) {
                mask[i] = values[(((int) (bits >>> (16 * j)) & 0xFFFF) - threshold) >>> 31];
            }
        }
        return mask;
    }

    /** Rows {@code ids} (int64, any shape) of an embedding table, shape {@code ids.shape + [D]}. */
    public static NDArray embedding(NDArray ids, NDArray table) {
        return ai.djl.nn.core.Embedding.embedding(ids, table, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Softmax over {@code axis} with the positions where {@code mask} (broadcast to {@code logits}) is 0
     * left out: they get logit {@code -1e9} added, so their weight underflows to 0.
     */
    public static NDArray maskedSoftmax(NDArray logits, NDArray mask, int axis) {
        return logits.add(mask.sub(1f).mul(logits.getManager().create(1e9f))).softmax(axis);
    }

    /**
     * {@code x / max(|x|, 1e-12)} over the last axis (PyTorch's {@code F.normalize}; a zero row stays zero),
     * computed as {@code sqrt(max(|x|², 1e-24))} so that a zero row (padding) has a zero gradient, not the
     * NaN of {@code sqrt}'s derivative at 0 times a zero gradient. The floor is a tensor of the pass's
     * manager, not a Number: the backward pass reads it (see {@link #scale}).
     */
    public static NDArray l2Normalize(NDArray x) {
        NDArray floor = x.getManager().full(new Shape(), 1e-24f, x.getDataType());
        return x.div(x.square().sum(new int[] {-1}, true).maximum(floor).sqrt());
    }

    /**
     * {@code x · c}. Use this, never {@code NDArray.mul(Number)} / {@code div(Number)}, on anything
     * the backward pass goes through: DJL's PyTorch engine implements those by wrapping {@code c}
     * in a tensor over a Java direct buffer ({@code from_blob}) and closing it right after the
     * product, but autograd keeps that tensor to compute the gradient; once the garbage collector
     * frees the buffer, the backward pass multiplies by whatever the memory now holds (random
     * inf / NaN gradients, more often the bigger the graph; it was the cause of the NaN losses of
     * RecGRELA, SASRec and others). Here the scalar is an engine-allocated tensor that stays attached
     * to {@code x}'s manager. {@code EngineSafetyTest} fails the build on the unsafe calls.
     */
    public static NDArray scale(NDArray x, float c) {
        return x.mul(x.getManager().full(new Shape(), c, x.getDataType()));
    }

    /** SiLU (Swish with β = 1): {@code x · σ(x)}. */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /**
     * DropPath (stochastic depth) of a residual branch {@code x [B, ...]}: in training the whole branch
     * of a sample is dropped with probability {@code rate}, the kept ones scaled by {@code 1 / (1 - rate)}.
     */
    public static NDArray dropPath(NDArray x, float rate, boolean training) {
        if (!training || rate <= 0f) {
            return x;
        }
        long[] shape = new long[x.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = x.getShape().get(0);
        NDArray keep = x.getManager().randomUniform(0f, 1f, new Shape(shape)).gte(rate).toType(x.getDataType(), false);
        return x.mul(scale(keep, 1f / (1f - rate)));
    }

    /** GELU, exact erf form. */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /**
     * {@code [B, T, C] -> [C, B, T]}, contiguous: the layout a product batched over channels needs. Done as the 2-D
     * transpose {@code [B·T, C] -> [C, B·T]}, which the engine copies in cache blocks (a 3-D permute copy costs about
     * four times as much; bench/results/mixer-layout.md).
     */
    public static NDArray channelsFirst(NDArray x) {
        Shape s = x.getShape();
        long c = s.get(2);
        return x.reshape(-1, c).transpose().reshape(-1).reshape(c, s.get(0), s.get(1));
    }

    /**
     * {@code [C, B, T] -> [B, T, C]}, contiguous, the inverse of {@link #channelsFirst}. The one-piece split is there
     * for the backward pass: its gradient is a concatenation, i.e. a contiguous {@code [C, B·T]} copy, so a batched
     * product before this op receives a contiguous gradient; without it the gradient would arrive as a strided view
     * of the {@code [B, T, C]} one, and the engine's batched product copies such an operand channel by channel,
     * reading a cache line per element (the mixer's forward and backward 1.9x, gradients bit for bit the same).
     */
    public static NDArray channelsLast(NDArray y) {
        Shape s = y.getShape();
        long c = s.get(0);
        NDArray flat = y.reshape(c, -1).split(1, 0).singletonOrThrow();
        return flat.transpose().reshape(-1).reshape(s.get(1), s.get(2), c);
    }
}
