package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.MetaFormerBlock;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;
import org.seqrec.nn.SessionGraph;
import org.seqrec.util.SeqrecException;

/**
 * GC-SAN (Xu et al., IJCAI 2019), as RecBole's {@code GCSAN}: SR-GNN's session graph and gated graph steps
 * ({@link SessionGraph}), then self-attention blocks over every position's node state (RecBole's post-LN
 * {@code TransformerEncoder}: causal multi-head attention with padded keys masked, a GELU FFN of
 * {@code inner} units, no position embeddings); the representation is
 * {@code ω · a_t + (1 - ω) · h_t}, the last position's attention output and its node state, scored by the
 * dot product with the item embeddings; softmax cross-entropy on the last position (prefix-CE). Defaults
 * are RecBole's: D 64, one graph step, one block, one head, inner 256, dropout 0.2 (hidden and attention),
 * ω 0.6; weights U(±1/√D) as SR-GNN's. Not carried over: RecBole's extra L2 term on the item embeddings
 * ({@code reg_weight} 5e-5).
 */
public final class GcSan extends NeuralSeqModel {
    private final String items;
    private final SessionGraph gnn;
    private final List<MetaFormerBlock> blocks = new ArrayList<>();
    private final float weight;

    public GcSan(NDManager manager, int numItems, Hyper h, int steps, int heads, int inner, float weight) {
        super(manager, numItems, h.maxLen());
        int d = h.hidden();
        if (weight < 0 || weight > 1) {
            throw new SeqrecException("GC-SAN's weight ω must be in [0, 1], got " + weight);
        }
        float stdv = (float) (1.0 / Math.sqrt(d));
        this.items = params.uniform("item_emb", new Shape(numItems + 1, d), stdv);
        this.gnn = new SessionGraph(params, "gnn", d, steps, stdv);
        float attnDropout = h.attnDropout();
        for (int i = 0; i < h.layers(); i++) {
            blocks.add(new MetaFormerBlock(params, "blocks." + i, d, inner > 0 ? inner : 4 * d, h.dropout(),
                    (p, name) -> new SelfAttention(p, name, d, heads, attnDropout, true, 0)));
        }
        this.weight = weight;
    }

    @Override
    public String name() {
        return "gcsan";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        NDArray seq = gnn.forward(p, ids, p.get(items)); // [B, L, D]
        NDArray mask = ids.gt(0).toType(DataType.FLOAT32, false);
        NDArray x = seq;
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(p, x, mask, training, i == blocks.size() - 1);
        }
        NDArray attended = x.get(":, -1, :");
        NDArray last = seq.get(":, -1, :");
        return Nn.scale(attended.sub(last), weight).add(last); // ω a + (1 - ω) h
    }

    /** Registry entry {@code gcsan}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("gcsan", "GC-SAN (Xu et al. 2019): SR-GNN's graph steps, then self-attention blocks, prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("step", 1);
            m.put("layers", 1);
            m.put("heads", 1);
            m.put("inner", 256);
            m.put("dropout", 0.2);
            m.put("attn_dropout", 0.2);
            m.put("weight", 0.6);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new GcSan(manager, numItems, Hyper.from(params), Hyper.intOf(params, "step", 1), Hyper.intOf(params, "heads", 1),
                    Hyper.intOf(params, "inner", 256), Hyper.floatOf(params, "weight", 0.6f));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }
    }
}
