package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;

/**
 * HGN, hierarchical gating networks (Ma, Kang and Liu, KDD 2019), as RecBole's {@code HGN}: the
 * embeddings E of the last {@code hgn_len} items pass a feature gate {@code E * sigmoid(W1 E + W2 u + b)},
 * then an instance gate {@code s_l = sigmoid(w3 . e_l + (W4 u)_l)} weights the positions of an average
 * {@code sum_l s_l e_l / sum_l s_l}; the user is that average plus the item-item term {@code sum_l E_l}
 * (the history's raw embeddings), scored against the same item table. Departures, as in seqrec's Caser:
 * no user embedding u (the model serves any history, also of users it never saw), so the user terms keep
 * only their biases (W2's folded into b, and W4's: one per position); padded positions (histories shorter than
 * {@code hgn_len}) take no part in the instance average (RecBole counts them in its denominator); the
 * prefix regime's loss. Defaults: the paper's L = 5 with Table C3's D 64, lr 1e-3, batch 256; no dropout.
 */
public final class Hgn extends NeuralSeqModel {
    private final String items;
    private final Dense w1;
    private final String b;
    private final Dense w3;
    private final String positionBias;
    private final int window;

    public Hgn(NDManager manager, int numItems, Hyper h, int window) {
        super(manager, numItems, h.maxLen());
        int d = h.hidden();
        this.window = Math.min(window, h.maxLen());
        this.items = params.normal("item_embedding.weight", new Shape(numItems + 1, d), 0.02f);
        this.w1 = new Dense(params, "w1", d, d);
        this.b = params.zeros("b", new Shape(d)); // W2 u + b with u = 0 (W2's bias folded in)
        this.w3 = new Dense(params, "w3", d, 1);
        this.positionBias = params.zeros("w4.bias", new Shape(this.window)); // W4 u with u = 0: W4's bias
    }

    @Override
    public String name() {
        return "hgn";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    /** The per-position instance gates {@code [B, hgn_len]} (0 at padded positions). */
    NDArray instanceGates(Params.Bound p, NDArray ids) {
        return gate(p, ids)[1];
    }

    /** {@code {user representation [B, D], instance gates [B, L]}}. */
    private NDArray[] gate(Params.Bound p, NDArray ids) {
        NDArray recent = ids.get(new NDIndex(":, -" + window + ":"));
        NDArray table = p.get(items);
        NDArray real = recent.gt(0).toType(table.getDataType(), false); // [B, L]
        NDArray e = Nn.embedding(recent, table).mul(real.expandDims(2)); // [B, L, D], padded rows zero
        NDManager m = e.getManager();
        NDArray features = e.mul(Activation.sigmoid(w1.forward(p, e).add(p.get(b)))); // feature gating
        NDArray s = Activation.sigmoid(w3.forward(p, features).squeeze(2).add(p.get(positionBias))).mul(real); // instance gating
        NDArray denom = s.sum(new int[] {1}, true).maximum(m.full(new Shape(), 1e-12f, s.getDataType()));
        NDArray pooled = features.mul(s.expandDims(2)).sum(new int[] {1}).div(denom);
        NDArray itemItem = e.sum(new int[] {1});
        return new NDArray[] {pooled.add(itemItem), s};
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        return gate(p, ids)[0];
    }

    /** Registry entry {@code hgn}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("hgn", "HGN (Ma et al. 2019): feature and instance gating over the last items, plus the item-item term");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.remove("layers");
            m.remove("dropout");
            m.put("hgn_len", 5);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new Hgn(manager, numItems, Hyper.from(params), Hyper.intOf(params, "hgn_len", 5));
        }
    }
}
