package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;

/**
 * GRU4Rec (Hidasi et al., ICLR 2016) in the form sequential-recommendation benchmarks use (RecBole,
 * the FMLP-Rec code): item embeddings (no positions) with dropout, a GRU over the history, a dense
 * map of its output back to the embedding space, and the dot product with the shared item
 * embeddings. Trained in the all-positions regime (every step predicts the next item, as the
 * original's session-parallel mini-batches do) with BCE and one negative per step instead of the
 * original's TOP1/BPR over in-batch negatives. The history is left-padded; padded steps feed zeros,
 * which only move the GRU's start state the same way for every user. GRU weights start from Xavier
 * uniform, the rest from N(0, 0.02). Defaults: D = GRU size 64, 1 layer, dropout 0.3 (RecBole's),
 * L 50, lr 1e-3, batch 256. {@code gru_hidden} (default 0: D) sets the GRU's state size apart from D and
 * {@code gru_bias false} removes the gates' biases: RecBole's GRU4Rec (embedding_size, hidden_size, a
 * bias-free {@code nn.GRU}), whose checkpoints import exactly; without biases a zero input keeps a zero
 * state, so the left padding leaves the start state at 0 as RecBole's right padding does.
 */
public final class Gru4Rec extends NeuralSeqModel {
    private final String items;
    private final String[] gru;
    private final Dense out;
    private final int d;
    private final int gruHidden;
    private final boolean gruBias;
    private final int layers;
    private final float dropout;

    /** The GRU's own settings: its state size (0: the embedding size D) and whether its gates have biases. */
    public record Options(int gruHidden, boolean gruBias) {
        static Options from(Map<String, Object> params) {
            return new Options(Hyper.intOf(params, "gru_hidden", 0), Hyper.boolOf(params, "gru_bias", true));
        }
    }

    public Gru4Rec(NDManager manager, int numItems, Hyper h) {
        this(manager, numItems, h, new Options(0, true));
    }

    public Gru4Rec(NDManager manager, int numItems, Hyper h, Options o) {
        super(manager, numItems, h.maxLen());
        this.d = h.hidden();
        this.gruHidden = o.gruHidden() > 0 ? o.gruHidden() : d;
        this.gruBias = o.gruBias();
        this.layers = h.layers();
        this.dropout = h.dropout();
        this.items = params.normal("item_emb", new Shape(numItems + 1, d), 0.02f);
        int per = gruBias ? 4 : 2;
        this.gru = new String[per * layers];
        int g = gruHidden;
        for (int l = 0; l < layers; l++) { // the engine's order: w_ih, w_hh, b_ih, b_hh per layer
            int in = l == 0 ? d : g;
            float bound = (float) Math.sqrt(6.0 / (in + 3 * g));
            gru[per * l] = params.uniform("gru." + l + ".w_ih", new Shape(3L * g, in), bound);
            gru[per * l + 1] = params.uniform("gru." + l + ".w_hh", new Shape(3L * g, g), bound);
            if (gruBias) {
                gru[per * l + 2] = params.zeros("gru." + l + ".b_ih", new Shape(3L * g));
                gru[per * l + 3] = params.zeros("gru." + l + ".b_hh", new Shape(3L * g));
            }
        }
        this.out = new Dense(params, "out", g, d);
    }

    @Override
    public String name() {
        return "gru4rec";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    @Override
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        NDArray mask = ids.gt(0).expandDims(2);
        NDArray x = Nn.dropout(p, Nn.embedding(ids, p.get(items)), dropout, training);
        x = x.mul(mask.toType(x.getDataType(), false));
        NDArray states = Nn.gru(p, java.util.Arrays.asList(gru), x, layers, gruHidden, gruBias);
        return out.forward(p, states);
    }

    /** Registry entry {@code gru4rec}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("gru4rec", "GRU4Rec (Hidasi et al. 2016): GRU over the history, all-positions BCE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("layers", 1);
            m.put("dropout", 0.3);
            m.put("gru_hidden", 0);
            m.put("gru_bias", true);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new Gru4Rec(manager, numItems, Hyper.from(params), Options.from(params));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.AllPositions();
        }
    }
}
