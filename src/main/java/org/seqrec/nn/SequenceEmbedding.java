package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code E = Drop(LN(item_emb[ids] + pos_emb[0..L-1]))}, padded positions then set to exactly 0.
 * The item table (row 0 = padding) is shared with the dot-product scorer.
 */
public final class SequenceEmbedding {
    private final String items;
    private final String positions;
    private final Norm norm;
    private final float dropout;
    private final boolean fromFirst;

    public SequenceEmbedding(Params p, int numItems, int maxLen, int d, float dropout) {
        this(p, numItems, maxLen, d, dropout, true);
    }

    /** @param withPositions false: no position embedding (the item embeddings alone) */
    public SequenceEmbedding(Params p, int numItems, int maxLen, int d, float dropout, boolean withPositions) {
        this(p, numItems, maxLen, d, dropout, withPositions, false);
    }

    /**
     * @param fromFirst positions counted from the oldest item of each row (item {@code j} of a history gets
     *     {@code pos_emb[j]}, padding gets row 0), as in code that pads on the right (RecBole); else from
     *     the window's start, the newest item at {@code L-1}
     */
    public SequenceEmbedding(Params p, int numItems, int maxLen, int d, float dropout, boolean withPositions, boolean fromFirst) {
        this.fromFirst = fromFirst;
        this.items = p.normal("item_emb", new Shape(numItems + 1, d), 0.02f);
        this.positions = withPositions ? p.normal("pos_emb", new Shape(maxLen, d), 0.02f) : null;
        this.norm = new Norm(p, "emb_norm", d);
        this.dropout = dropout;
    }

    public String itemTable() {
        return items;
    }

    /** Item embeddings of {@code ids} (int64, any shape) with a trailing hidden axis. */
    public NDArray lookup(Params.Bound p, NDArray ids) {
        return Nn.embedding(ids, p.get(items));
    }

    /**
     * @param ids int64 {@code [B, L]}, left-padded with 0, or {@code [B, w]} with {@code w < L}: the
     *     last {@code w} positions (they get the last {@code w} position embeddings); returns {@code [B, w, D]}
     */
    public NDArray forward(Params.Bound p, NDArray ids, NDArray mask, boolean training) {
        return forward(p, ids, mask, training, true);
    }

    /** @param zeroPadding whether padded positions are set to exactly 0 (see {@link TokenMixer#ignoresPadding}) */
    public NDArray forward(Params.Bound p, NDArray ids, NDArray mask, boolean training, boolean zeroPadding) {
        return forwardFromRows(p, lookup(p, ids), mask, training, zeroPadding);
    }

    /**
     * {@link #forward(Params.Bound, NDArray, NDArray, boolean, boolean)} from the item rows already
     * looked up ({@link #lookup}), {@code [B, w, D]}.
     */
    public NDArray forwardFromRows(Params.Bound p, NDArray e, NDArray mask, boolean training, boolean zeroPadding) {
        if (positions != null && fromFirst) {
            // left padding: the items are the row's last n positions, so the running count of items - 1 is j
            NDArray j = mask.cumSum(1).sub(1f).maximum(0f).toType(DataType.INT64, false);
            e = e.add(Nn.embedding(j, p.get(positions)));
        } else if (positions != null) {
            NDArray pos = p.get(positions);
            long width = e.getShape().get(1);
            // ids narrower than L are the last positions of the window (leading padding cropped)
            e = e.add(width == pos.getShape().get(0) ? pos : pos.get(new NDIndex("-" + width + ":, :")));
        }
        e = Nn.dropout(p, norm.forward(p, e), dropout, training);
        return zeroPadding ? e.mul(mask.expandDims(2).toType(e.getDataType(), false)) : e;
    }

    /** {@code [B, L]} float32: 1 where {@code ids > 0}. */
    public static NDArray mask(NDArray ids) {
        return ids.gt(0).toType(DataType.FLOAT32, false);
    }
}
