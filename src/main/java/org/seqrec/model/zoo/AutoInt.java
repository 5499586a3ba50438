package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.UserModel;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;

/**
 * AutoInt (Song et al., CIKM 2019) on the two one-hot fields the FMLP-Rec and ConvFormer papers give it, user id and
 * item id: the fields' embeddings {@code e_u, e_i} ({@code d}) pass {@code layers} interacting layers, each multi-head
 * self-attention over the fields ({@code alpha_mk = softmax_k <W_Q e_m, W_K e_k>} per head, no scaling, as the paper's
 * eq. 5-6) with a residual projection and ReLU ({@code e_m <- ReLU(sum_k alpha_mk W_V e_k (heads concatenated) + W_Res e_m)});
 * the score is {@code w . [e_u ; e_i] + b} over the concatenated outputs (eq. 11, before the sigmoid). Non-sequential:
 * the history is not read. The interaction is not a dot product, so scoring every item runs the network once per
 * (user, item) pair (in passes of at most {@link #PAIRS_PER_PASS} pairs): full ranking costs users x items network
 * evaluations; the 1-vs-99 protocol the papers used costs 100 per user.
 *
 * <p>The user representation passed to the scorer is {@code e_u} ({@code [B, d]}); a user the model has no row for reads
 * {@code e_u = 0}. Defaults: the AutoInt paper's d 16, attention size d' 32, 2 heads, 3 layers, residual connections,
 * no DNN part (that is AutoInt+); embeddings N(0, 0.02), projections Xavier-uniform; no dropout; the prefix regime's
 * binary cross-entropy (one sampled negative per interaction) with Table C3's lr 1e-3 and batch 256.
 */
public final class AutoInt extends UserModel {
    private final String items;
    private final String users;
    private final List<String[]> layers = new ArrayList<>(); // per layer: query, key, value, residual: [in, heads * d']
    private final String out;
    private final String outBias;
    private final int d;
    private final int heads;
    private final int att;

    public AutoInt(NDManager manager, int numItems, int numUsers, int embed, int att, int heads, int numLayers, int maxLen) {
        super(manager, numItems, maxLen, numUsers);
        this.d = embed;
        this.att = att;
        this.heads = heads;
        this.items = params.normal("item_embedding.weight", new Shape(numItems + 1, embed), 0.02f);
        this.users = params.normal("user_embedding.weight", new Shape(numUsers + 1, embed), 0.02f);
        int in = embed;
        int width = heads * att;
        for (int l = 0; l < numLayers; l++) {
            float bound = (float) Math.sqrt(6.0 / (in + width));
            String[] w = new String[4];
            String[] names = {"query", "key", "value", "residual"};
            for (int j = 0; j < 4; j++) {
                w[j] = params.uniform("layers." + l + "." + names[j], new Shape(in, width), bound);
            }
            layers.add(w);
            in = width;
        }
        this.out = params.uniform("output.weight", new Shape(2 * in, 1), (float) Math.sqrt(6.0 / (2 * in + 1)));
        this.outBias = params.zeros("output.bias", new Shape(1));
    }

    @Override
    public String name() {
        return "autoint";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, NDArray userRows, boolean training) {
        return userRows(userRows, p.get(users)); // [B, d]; the unknown user reads zeros
    }

    /** Scores of pairs: user field {@code u [P, d]} and item field {@code e [P, d]} to {@code [P]}. */
    NDArray pairScores(Params.Bound p, NDArray u, NDArray e) {
        long n = u.getShape().get(0);
        NDArray x = NDArrays.stack(new NDList(u, e), 1); // [P, 2, d]
        for (String[] w : layers) {
            NDArray q = heads(x.matMul(p.get(w[0])), n); // [P, H, 2, d']
            NDArray k = heads(x.matMul(p.get(w[1])), n);
            NDArray v = heads(x.matMul(p.get(w[2])), n);
            NDArray alpha = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1); // [P, H, 2, 2]
            NDArray mixed = alpha.matMul(v).transpose(0, 2, 1, 3).reshape(n, 2, (long) heads * att); // heads concatenated
            x = Activation.relu(mixed.add(x.matMul(p.get(w[3]))));
        }
        return x.reshape(n, -1).matMul(p.get(out)).squeeze(1).add(p.get(outBias));
    }

    private NDArray heads(NDArray x, long n) {
        return x.reshape(n, 2, heads, att).transpose(0, 2, 1, 3);
    }

    @Override
    public NDArray scoreItems(Params.Bound p, NDArray rep, NDArray ids) {
        return scorePairs(rep, ids, (u, items) -> pairScores(p, u, Nn.embedding(items, p.get(this.items))));
    }

    @Override
    public NDArray scoreItemRange(Params.Bound p, NDArray rep, int from, int to) {
        return scorePairRange(rep, from, to, (u, items) -> pairScores(p, u, Nn.embedding(items, p.get(this.items))));
    }

    /** Registry entry {@code autoint}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("autoint", "AutoInt (Song et al. 2019) on user and item ids: multi-head self-attention over the two fields;"
                    + " non-sequential, serves known users by id");
        }

        @Override
        public boolean readsUsers() {
            return true;
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.remove("dropout");
            m.put("hidden", 16);
            m.put("layers", 3);
            m.put("heads", 2);
            m.put("attention_size", 32);
            m.put(NUM_USERS, 0);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Hyper h = Hyper.from(params);
            return new AutoInt(manager, numItems, Hyper.intOf(params, NUM_USERS, 0), h.hidden(), Hyper.intOf(params, "attention_size", 32),
                    Hyper.intOf(params, "heads", 2), h.layers(), h.maxLen());
        }
    }
}
