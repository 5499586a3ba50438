package org.seqrec.nn;

import ai.djl.ndarray.NDArray;

/**
 * The part of a meta-former block that mixes information across positions (self-attention,
 * a convolution, a filter ...). Everything else in the block is shared ({@link MetaFormerBlock}).
 */
public interface TokenMixer {
    /**
     * @param x the block input {@code [B, L, D]} (padded positions are zero)
     * @param mask {@code [B, L]} float, 1 for real items and 0 for padding
     * @return {@code [B, L, D]}
     */
    NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training);

    /**
     * The mixer's output at the last position only, {@code [B, 1, D]}: all the last block of a
     * model scored at {@code L-1} needs. Mixers that can compute it more cheaply override this.
     */
    default NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
        return mix(p, x, mask, training).get(new ai.djl.ndarray.index.NDIndex(":, -1:, :"));
    }

    /**
     * Whether the mixer's output at a real position never depends on padded positions (attention
     * with padded keys masked, a masked mean, no mixing). Then the model does not zero the padded
     * embeddings: real positions are unaffected either way, and the empty-history sample of the
     * prefix regime keeps non-zero inputs. Zeroed, that sample feeds exact zeros into every LayerNorm
     * while the biases are still 0, where {@code 1 / sqrt(var + 1e-12)} multiplies gradients by 1e6
     * per LayerNorm; SAR's squared gradients overflowed Adam's second moment to NaN in the first
     * epoch on Beauty. (The reference code of SASRec and FMLP-Rec does not zero them either.)
     */
    default boolean ignoresPadding() {
        return false;
    }

    /**
     * Whether the mixer may be given only the last {@code w <= L} positions of the window (the
     * leading padding of a batch cropped, {@link LengthGroups}) and then returns, at every row with at
     * least one real item, the last {@code w} positions of its full-width output. True for masked
     * attention with relative masks and for position-wise maps; mixers with weights per absolute
     * position read their last {@code w}. False for anything whose real positions see the padding: a
     * circular convolution, an FFT filter over L, pooling windows, a map of the flattened sequence.
     */
    default boolean cropsLeadingPadding() {
        return false;
    }

    /**
     * Crops must remove a multiple of this many positions: pooling windows counted from the start of
     * the window then stay aligned (PoolingFormer's pool size).
     */
    default int cropStep() {
        return 1;
    }

    /** Builds one mixer per block; {@code name} prefixes its weights. */
    @FunctionalInterface
    interface Factory {
        TokenMixer create(Params p, String name);
    }
}
