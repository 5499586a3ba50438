package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * {@code R' = LN(R + Drop(mixer(R)))}, then {@code LN(R' + Drop(FFN(R')))}: the block shared by
 * ConvFormer (LighTCN), FMLP-Rec and the SAR family; only the token mixer differs.
 */
public final class MetaFormerBlock {
    private final TokenMixer mixer;
    private final Norm norm1;
    private final FeedForward ffn;
    private final Norm norm2;
    private final float dropout;

    public MetaFormerBlock(Params p, String name, int d, float dropout, TokenMixer.Factory mixer) {
        this(p, name, d, 4 * d, dropout, mixer);
    }

    /** @param inner the FFN's inner size (4D in the meta-former models) */
    public MetaFormerBlock(Params p, String name, int d, int inner, float dropout, TokenMixer.Factory mixer) {
        this.mixer = mixer.create(p, name + ".mixer");
        this.norm1 = new Norm(p, name + ".norm1", d);
        this.ffn = new FeedForward(p, name + ".ffn", d, inner);
        this.norm2 = new Norm(p, name + ".norm2", d);
        this.dropout = dropout;
    }

    /** The block's token mixer. */
    public TokenMixer mixer() {
        return mixer;
    }

    /**
     * @param lastOnly compute the position-wise sub-block only at position {@code L-1} and return
     *     {@code [B, 1, D]}: exact when nothing after this block reads other positions (the last block
     *     of a model scored at {@code L-1}), and it saves that block's FFN on {@code L-1} positions
     */
    public NDArray forward(Params.Bound p, NDArray x, NDArray mask, boolean training, boolean lastOnly) {
        NDArray mixed;
        if (lastOnly) {
            mixed = mixer.mixLast(p, x, mask, training);
            x = x.get(new NDIndex(":, -1:, :"));
        } else {
            mixed = mixer.mix(p, x, mask, training);
        }
        NDArray r = norm1.forward(p, x.add(Nn.dropout(p, mixed, dropout, training)));
        return norm2.forward(p, r.add(Nn.dropout(p, ffn.forward(p, r), dropout, training)));
    }
}
