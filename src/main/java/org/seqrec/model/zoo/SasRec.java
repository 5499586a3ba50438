package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Dense;
import org.seqrec.nn.LinearAttention;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Norm;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;
import org.seqrec.nn.SequenceEmbedding;

/**
 * SASRec as in Kang and McAuley (ICDM 2018) and their code: item embeddings scaled by sqrt(D) plus
 * learned positions, dropout, padding zeroed; each block queries with the layer-normalised sequence,
 * {@code S = LN(R) + MHA(LN(R), R)} under a causal mask with padded keys masked, then
 * {@code R' = LN(S); R'' = R' + FFN(R')} with a point-wise ReLU FFN D -> D -> D and dropout, padding
 * zeroed again; a final LayerNorm. Trained in the all-positions regime (BCE, one negative per
 * position). Defaults follow the ConvFormer paper's Table C3 common settings (D 64, 2 blocks, L 50,
 * dropout 0.5, lr 1e-3, batch 256) with 2 heads, as in the FMLP-Rec code whose SASRec figures the
 * paper reports.
 */
public final class SasRec extends NeuralSeqModel {
    private final String items;
    private final String positions;
    private final List<Block> blocks = new ArrayList<>();
    private final Norm last;
    private final int d;
    private final float dropout;

    private static final class Block {
        final Norm attnNorm;
        final SelfAttention attention;
        final LinearAttention linear;
        final Norm ffnNorm;
        final Dense ffn1;
        final Dense ffn2;

        Block(Params p, String name, int d, int heads, float attnDropout, boolean linearAttention) {
            attnNorm = new Norm(p, name + ".attn_norm", d);
            attention = linearAttention ? null : new SelfAttention(p, name + ".attn", d, heads, attnDropout, true, 0);
            linear = linearAttention ? new LinearAttention(p, name + ".attn", d, heads) : null;
            ffnNorm = new Norm(p, name + ".ffn_norm", d);
            ffn1 = new Dense(p, name + ".ffn1", d, d);
            ffn2 = new Dense(p, name + ".ffn2", d, d);
        }
    }

    private final String name;

    public SasRec(NDManager manager, int numItems, Hyper h, int heads) {
        this(manager, numItems, h, heads, false);
    }

    /** @param linearAttention LinRec: ELU+1 linear attention (not causal) in place of the softmax attention */
    public SasRec(NDManager manager, int numItems, Hyper h, int heads, boolean linearAttention) {
        super(manager, numItems, h.maxLen());
        this.name = linearAttention ? "linrec" : "sasrec";
        this.d = h.hidden();
        this.dropout = h.dropout();
        this.items = params.normal("item_emb", new Shape(numItems + 1, d), 0.02f);
        this.positions = params.normal("pos_emb", new Shape(h.maxLen(), d), 0.02f);
        for (int i = 0; i < h.layers(); i++) {
            blocks.add(new Block(params, "blocks." + i, d, heads, h.attnDropout(), linearAttention));
        }
        this.last = new Norm(params, "last_norm", d);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    protected String itemTable() {
        return items;
    }

    @Override
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        NDArray mask = SequenceEmbedding.mask(ids);
        NDArray keep = mask.expandDims(2);
        NDArray x = Nn.scale(Nn.embedding(ids, p.get(items)), (float) Math.sqrt(d)).add(p.get(positions));
        x = Nn.dropout(p, x, dropout, training).mul(keep);
        for (Block b : blocks) {
            NDArray q = b.attnNorm.forward(p, x);
            x = q.add(b.attention != null ? b.attention.cross(p, q, x, mask, training) : b.linear.attend(p, q, x, mask));
            x = b.ffnNorm.forward(p, x);
            NDArray hidden = Nn.dropout(p, Activation.relu(b.ffn1.forward(p, x)), dropout, training);
            x = x.add(Nn.dropout(p, b.ffn2.forward(p, hidden), dropout, training)).mul(keep);
        }
        return last.forward(p, x);
    }

    /** Registry entry {@code sasrec}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("sasrec", "SASRec (Kang & McAuley 2018): multi-head causal Transformer, all-positions BCE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("attn_dropout", 0.5);
            m.put("heads", 2);
            m.put("block", "kang");
            m.put("inner", 0);
            return m;
        }

        /**
         * {@code block kang} (default): Kang and McAuley's blocks above. {@code block post-ln}: RecBole's form
         * (its {@code SASRec} with {@code TransformerEncoder}): {@code LN(item + position)} without scaling,
         * dropout; blocks {@code LN(R + Drop(MHA(R)))}, {@code LN(R' + Drop(FFN(R')))} with a GELU FFN of
         * {@code inner} units (0: 4D) and causal multi-head attention; positions counted from each history's
         * oldest item, as RecBole's right padding does; no final LayerNorm. RecBole checkpoints import into it exactly.
         */
        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Hyper h = Hyper.from(params);
            int heads = Hyper.intOf(params, "heads", 2);
            int inner = Hyper.intOf(params, "inner", 0);
            String block = String.valueOf(params.getOrDefault("block", "kang"));
            switch (block) {
                case "kang":
                    if (inner != 0) {
                        throw new org.seqrec.util.SeqrecException("inner sets the FFN size of block post-ln; Kang's blocks have a D -> D FFN");
                    }
                    return new SasRec(manager, numItems, h, heads);
                case "post-ln":
                    float attnDropout = h.attnDropout();
                    int d = h.hidden();
                    return new org.seqrec.model.MetaFormerModel("sasrec", manager, numItems, h,
                            (p, name) -> new SelfAttention(p, name, d, heads, attnDropout, true, 0),
                            new org.seqrec.model.MetaFormerModel.Layout(true, inner > 0 ? inner : 4 * d, true));
                default:
                    throw new org.seqrec.util.SeqrecException("unknown SASRec block '" + block + "' (kang, post-ln)");
            }
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.AllPositions();
        }
    }

    /**
     * Registry entry {@code linrec}: the LinRec-style efficiency baseline of RecGRELA's paper, SASRec
     * with its attention replaced by ELU+1 linear attention (learnable positions kept); since that
     * attention is not causal it trains in the prefix-CE regime, like RecGRELA, with RecGRELA's
     * settings (L 200, D 64, 4 heads, dropout 0.1, batch 2048).
     */
    public static final class LinRecSpec extends NeuralSpec {
        public LinRecSpec() {
            super("linrec", "LinRec-style baseline: SASRec with ELU+1 linear attention, prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("layers", 2);
            m.put("heads", 4);
            m.put("max_len", 200);
            m.put("dropout", 0.1);
            m.put("batch", 2048);
            m.put("patience", 20);
            m.put("select", "NDCG@10");
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new SasRec(manager, numItems, Hyper.from(params), Hyper.intOf(params, "heads", 4), true);
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }
    }
}
