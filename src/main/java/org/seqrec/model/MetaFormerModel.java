package org.seqrec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seqrec.nn.LengthGroups;
import org.seqrec.nn.MetaFormerBlock;
import org.seqrec.nn.Params;
import org.seqrec.nn.SequenceEmbedding;
import org.seqrec.nn.TokenMixer;

/**
 * Shared embedding, N meta-former blocks with a pluggable token mixer, dot-product scorer at
 * position {@code L-1}: ConvFormer and its variants, FMLP-Rec, the SAR family, FastFormer and
 * PoolingFormer. Padded embeddings are zeroed unless the mixer ignores padding
 * ({@link TokenMixer#ignoresPadding}).
 */
public class MetaFormerModel extends NeuralSeqModel {
    private final String name;
    private final SequenceEmbedding embedding;
    private final List<MetaFormerBlock> blocks = new ArrayList<>();
    private final boolean zeroPadding;
    private int groupOverhead = -1;
    private int cropStep = 1;

    public MetaFormerModel(String name, NDManager manager, int numItems, Hyper h, TokenMixer.Factory mixer) {
        this(name, manager, numItems, h, mixer, true);
    }

    /** @param positionEmbedding whether the shared embedding adds learned position embeddings */
    public MetaFormerModel(String name, NDManager manager, int numItems, Hyper h, TokenMixer.Factory mixer,
            boolean positionEmbedding) {
        this(name, manager, numItems, 0, h, mixer, positionEmbedding);
    }

    /**
     * @param extraTokens ids after the items ({@code n + 1, ...}) with their own embedding rows but never
     *     scored, e.g. BERT4Rec's mask token
     */
    protected MetaFormerModel(String name, NDManager manager, int numItems, int extraTokens, Hyper h,
            TokenMixer.Factory mixer, boolean positionEmbedding) {
        this(name, manager, numItems, extraTokens, h, mixer, new Layout(positionEmbedding, 4 * h.hidden(), false));
    }

    /**
     * How the shared parts are laid out beyond the mixer.
     *
     * @param positionEmbedding whether the shared embedding adds learned position embeddings
     * @param inner the FFN's inner size (4D in the meta-former models)
     * @param positionsFromFirst positions counted from each history's oldest item ({@link SequenceEmbedding})
     */
    public record Layout(boolean positionEmbedding, int inner, boolean positionsFromFirst) {}

    public MetaFormerModel(String name, NDManager manager, int numItems, Hyper h, TokenMixer.Factory mixer, Layout layout) {
        this(name, manager, numItems, 0, h, mixer, layout);
    }

    protected MetaFormerModel(String name, NDManager manager, int numItems, int extraTokens, Hyper h, TokenMixer.Factory mixer,
            Layout layout) {
        super(manager, numItems, h.maxLen());
        this.name = name;
        this.embedding = new SequenceEmbedding(params, numItems + extraTokens, h.maxLen(), h.hidden(), h.dropout(),
                layout.positionEmbedding(), layout.positionsFromFirst());
        for (int i = 0; i < h.layers(); i++) {
            blocks.add(new MetaFormerBlock(params, "blocks." + i, h.hidden(), layout.inner(), h.dropout(), mixer));
        }
        this.zeroPadding = blocks.isEmpty() || !blocks.get(0).mixer().ignoresPadding();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    protected String itemTable() {
        return embedding.itemTable();
    }

    /** Hidden states of every position after all blocks, {@code [B, L, D]} (for tests and analysis). */
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        NDArray mask = SequenceEmbedding.mask(ids);
        NDArray x = embedding.forward(p, ids, mask, training, zeroPadding);
        for (MetaFormerBlock b : blocks) {
            x = b.forward(p, x, mask, training, false);
        }
        return x;
    }

    /**
     * Encodes each batch in groups of rows of similar length, each cropped to its longest row
     * ({@link LengthGroups}), where every block's mixer allows it ({@link TokenMixer#cropsLeadingPadding});
     * a row with an empty history stays at full width. Same representations and gradients as the
     * full-width batch, at a cost closer to the real lengths (on Beauty's prefix-regime samples, 12% of
     * the positions at L 50 are items).
     *
     * @param overhead the fixed cost of one more group in row-positions; negative: off
     * @return whether grouping applies to this model
     */
    public boolean useLengthGroups(int overhead) {
        boolean crops = !blocks.isEmpty() && blocks.stream().allMatch(b -> b.mixer().cropsLeadingPadding());
        groupOverhead = crops ? overhead : -1;
        cropStep = blocks.stream().mapToInt(b -> b.mixer().cropStep()).max().orElse(1);
        return crops && overhead >= 0;
    }

    /** Length groups as a run's params say: {@code length_groups} (default true), {@code group_overhead}. */
    public MetaFormerModel useLengthGroups(Map<String, Object> params) {
        boolean on = Hyper.boolOf(params, "length_groups", true);
        useLengthGroups(on ? Hyper.intOf(params, "group_overhead", LengthGroups.DEFAULT_OVERHEAD) : -1);
        return this;
    }

    /** The defaults of the params {@link #useLengthGroups(Map)} reads, for a model's spec. */
    public static void putLengthGroupDefaults(Map<String, Object> defaults) {
        defaults.put("length_groups", true);
        defaults.put("group_overhead", LengthGroups.DEFAULT_OVERHEAD);
    }

    /**
     * The width a row with {@code items} items of a batch {@code width} wide is encoded at: the full width for an empty history
     * (its last position attends to padding only, uniformly, so every padded position counts), else
     * its items rounded up so that a multiple of {@link TokenMixer#cropStep} positions is removed.
     */
    public int cropOf(int items, int width) {
        if (items == 0) {
            return width;
        }
        return width - (width - items) / cropStep * cropStep;
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        if (groupOverhead >= 0) {
            int width = (int) ids.getShape().get(1);
            return LengthGroups.encodeLast(ids, groupOverhead, items -> cropOf(items, width), flat -> embedding.lookup(p, flat),
                    (part, rows) -> encodeLastFromRows(p, part, rows, training));
        }
        return encodeLastFromRows(p, ids, embedding.lookup(p, ids), training);
    }

    /** The last position's state from {@code ids [B, w]} and their item rows {@code [B, w, D]}. */
    private NDArray encodeLastFromRows(Params.Bound p, NDArray ids, NDArray rows, boolean training) {
        NDArray mask = SequenceEmbedding.mask(ids);
        NDArray x = embedding.forwardFromRows(p, rows, mask, training, zeroPadding);
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(p, x, mask, training, i == blocks.size() - 1);
        }
        return blocks.isEmpty() ? last(x) : x.squeeze(1);
    }
}
