package org.seqrec.model.layers;

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

    /** Builds one mixer per block; {@code name} prefixes its weights. */
    @FunctionalInterface
    interface Factory {
        TokenMixer create(Params p, String name);
    }
}
