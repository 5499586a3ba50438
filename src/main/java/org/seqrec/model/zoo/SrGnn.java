package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Params;
import org.seqrec.nn.SessionGraph;

/**
 * SR-GNN (Wu et al., AAAI 2019), as RecBole's {@code SRGNN}: each history is a session graph (its distinct
 * items are the nodes, consecutive items an edge), with incoming edges normalised by the node's in-degree
 * and outgoing ones by its out-degree ({@link SessionGraph}); {@code step} gated graph-network steps update the
 * node embeddings ({@code a = [A_in (H W_in + b_in) + b_iah, A_out (H W_out + b_out) + b_oah]}, then a GRU
 * cell with input a and state H); the last item's node is the local interest {@code h_t}; the global one is
 * {@code Σ_i α_i v_i} over the history's positions with {@code α_i = w_3ᵀ σ(W_1 h_t + W_2 v_i)}; the
 * representation is {@code W_T [global; h_t]}, scored by the dot product with the item embeddings.
 * Trained with softmax cross-entropy on the last position (prefix-CE), as RecBole. Defaults: D 64, one
 * step, every weight U(-1/√D, 1/√D) as RecBole initialises them, L 50, lr 1e-3, batch 256.
 */
public final class SrGnn extends NeuralSeqModel {
    private final String items;
    private final SessionGraph gnn;
    private final Dense one;
    private final Dense two;
    private final String three;
    private final Dense transform;

    public SrGnn(NDManager manager, int numItems, Hyper h, int steps) {
        super(manager, numItems, h.maxLen());
        int d = h.hidden();
        float stdv = (float) (1.0 / Math.sqrt(d));
        this.items = params.uniform("item_emb", new Shape(numItems + 1, d), stdv);
        this.gnn = new SessionGraph(params, "gnn", d, steps, stdv);
        this.one = Dense.uniform(params, "linear_one", d, d, stdv);
        this.two = Dense.uniform(params, "linear_two", d, d, stdv);
        this.three = params.uniform("linear_three.weight", new Shape(1, d), stdv);
        this.transform = Dense.uniform(params, "linear_transform", 2 * d, d, stdv);
    }

    @Override
    public String name() {
        return "srgnn";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        NDArray seq = gnn.forward(p, ids, p.get(items)); // [B, L, D]
        NDArray last = seq.get(":, -1, :"); // the newest item's node (left padding)
        NDArray mask = ids.gt(0).toType(DataType.FLOAT32, false).expandDims(2);
        NDArray q = Activation.sigmoid(one.forward(p, last).expandDims(1).add(two.forward(p, seq)));
        NDArray alpha = q.matMul(p.get(three).transpose()); // [B, L, 1]
        NDArray global = alpha.mul(seq).mul(mask).sum(new int[] {1});
        return transform.forward(p, global.concat(last, 1));
    }

    /** Registry entry {@code srgnn}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("srgnn", "SR-GNN (Wu et al. 2019): gated graph network over the session graph, attention readout, prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("step", 1);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new SrGnn(manager, numItems, Hyper.from(params), Hyper.intOf(params, "step", 1));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }
    }
}
