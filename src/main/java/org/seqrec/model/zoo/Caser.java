package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;

/**
 * Caser (Tang and Wang, WSDM 2018): the embeddings of the last {@code caser_len} items (the paper's
 * L = 5) form an image {@code [caser_len, D]}; {@code n_v} vertical filters {@code [caser_len, 1]}
 * and, for every height h in 1..caser_len, {@code n_h} horizontal filters {@code [h, D]} (ReLU, then
 * max-pooled over time) are concatenated, dropped out and mapped to D by a dense layer with ReLU.
 * Items are scored with a separate output embedding plus a per-item bias, as in the paper. Departures:
 * no user embedding (the model serves any history, also of users it never saw), and the prefix regime
 * (one target, one negative, BCE) instead of the paper's T = 3 targets with 3 negatives. Defaults:
 * the paper's n_v 4, n_h 16, dropout 0.5, caser_len 5, with Table C3's D 64, lr 1e-3, batch 256.
 */
public final class Caser extends NeuralSeqModel {
    private final String items;
    private final String outItems;
    private final String outBias;
    private final String vertical;
    private final String verticalBias;
    private final String[] horizontal;
    private final String[] horizontalBias;
    private final Dense fc;
    private final int window;
    private final int d;
    private final float dropout;

    public Caser(NDManager manager, int numItems, Hyper h, int window, int nv, int nh) {
        super(manager, numItems, h.maxLen());
        this.d = h.hidden();
        this.window = Math.min(window, h.maxLen());
        this.dropout = h.dropout();
        this.items = params.normal("item_emb", new Shape(numItems + 1, d), 0.02f);
        this.outItems = params.normal("out_emb", new Shape(numItems + 1, d), 0.02f);
        this.outBias = params.zeros("out_bias", new Shape(numItems + 1));
        this.vertical = params.normal("conv_v.weight", new Shape(nv, 1, this.window, 1), 0.02f);
        this.verticalBias = params.zeros("conv_v.bias", new Shape(nv));
        this.horizontal = new String[this.window];
        this.horizontalBias = new String[this.window];
        for (int i = 0; i < this.window; i++) {
            horizontal[i] = params.normal("conv_h." + (i + 1) + ".weight", new Shape(nh, 1, i + 1, d), 0.02f);
            horizontalBias[i] = params.zeros("conv_h." + (i + 1) + ".bias", new Shape(nh));
        }
        this.fc = new Dense(params, "fc", nv * d + nh * this.window, d);
    }

    @Override
    public String name() {
        return "caser";
    }

    /** The output embeddings: what items are scored against. */
    @Override
    public java.util.List<String> itemIndexedWeights() {
        return java.util.List.of(items, outItems, outBias);
    }

    @Override
    protected String itemTable() {
        return outItems;
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        long b = ids.getShape().get(0);
        NDArray recent = ids.get(new NDIndex(":, -" + window + ":"));
        NDArray image = Nn.embedding(recent, p.get(items)).mul(recent.gt(0).expandDims(2).toType(p.get(items).getDataType(), false))
                .expandDims(1); // [B, 1, window, D], padded rows zero
        NDArray v = Conv2d.conv2d(image, p.get(vertical), p.get(verticalBias)).singletonOrThrow().reshape(b, -1);
        NDList features = new NDList(v);
        for (int i = 0; i < window; i++) {
            NDArray conv = Activation.relu(Conv2d.conv2d(image, p.get(horizontal[i]), p.get(horizontalBias[i])).singletonOrThrow());
            features.add(conv.squeeze(3).max(new int[] {2})); // [B, n_h]
        }
        NDArray all = ai.djl.ndarray.NDArrays.concat(features, 1);
        return Activation.relu(fc.forward(p, Nn.dropout(p, all, dropout, training)));
    }

    @Override
    protected String itemBias() {
        return outBias;
    }

    /** Registry entry {@code caser}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("caser", "Caser (Tang & Wang 2018): horizontal and vertical convolutions over the last items");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.remove("layers");
            m.put("caser_len", 5);
            m.put("n_v", 4);
            m.put("n_h", 16);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new Caser(manager, numItems, Hyper.from(params), Hyper.intOf(params, "caser_len", 5),
                    Hyper.intOf(params, "n_v", 4), Hyper.intOf(params, "n_h", 16));
        }

    }
}
