package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.UserModel;
import org.seqrec.nn.Params;

/**
 * FM, the factorization machine (Rendle, ICDM 2010), on the two one-hot fields the FMLP-Rec and ConvFormer papers
 * give it, user id and item id: {@code y(u, i) = w0 + b_u + b_i + <v_u, v_i>} (with two one-hot fields the
 * pairwise term is the single product of the two factor vectors). Non-sequential: the history is not read, the
 * user's id is. Trained with the prefix regime's loss (binary cross-entropy of each of a user's last {@code max_len} training interactions, the regime's window,
 * against one sampled item, the point-wise loss FM is trained with on implicit feedback).
 *
 * <p>The user representation is {@code [v_u, w0 + b_u]} ({@code [B, D + 1]}); an item scores
 * {@code rep[:D] . v_i + b_i + rep[D]}. A user the model has no row for (a history served without a user id, a user
 * added after training) reads {@code v = 0, b = 0}: the ranking is then the items' learned biases. Defaults: D 64,
 * Table C3's training settings (lr 1e-3, batch 256); factors N(0, 0.02), biases 0; no dropout or L2 (the papers list none).
 */
public final class Fm extends UserModel {
    private final String items;
    private final String itemBias;
    private final String users;
    private final String userBias;
    private final String global;
    private final int d;

    public Fm(NDManager manager, int numItems, int numUsers, int hidden, int maxLen) {
        super(manager, numItems, maxLen, numUsers);
        this.d = hidden;
        this.items = params.normal("item_embedding.weight", new Shape(numItems + 1, hidden), 0.02f);
        this.itemBias = params.zeros("item_bias", new Shape(numItems + 1));
        this.users = params.normal("user_embedding.weight", new Shape(numUsers + 1, hidden), 0.02f);
        this.userBias = params.zeros("user_bias", new Shape(numUsers + 1));
        this.global = params.zeros("global_bias", new Shape(1));
    }

    @Override
    public String name() {
        return "fm";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    @Override
    protected String itemBias() {
        return itemBias;
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, NDArray userRows, boolean training) {
        NDArray v = userRows(userRows, p.get(users)); // [B, D]; row 0, the unknown user: v = 0, b = 0
        NDArray b = userRows(userRows, p.get(userBias).expandDims(1)).add(p.get(global)); // [B, 1]
        return NDArrays.concat(new ai.djl.ndarray.NDList(v, b), 1);
    }

    /** The dot product with the item table plus the item bias ({@link NeuralSeqModel#scoreItems}), plus the user's {@code w0 + b_u}. */
    @Override
    public NDArray scoreItems(Params.Bound p, NDArray rep, NDArray ids) {
        return super.scoreItems(p, rep.get(new NDIndex("..., :" + d)), ids).add(rep.get(new NDIndex("..., " + d)));
    }

    @Override
    public NDArray scoreItemRange(Params.Bound p, NDArray rep, int from, int to) {
        return super.scoreItemRange(p, rep.get(new NDIndex(":, :" + d)), from, to).add(rep.get(new NDIndex(":, " + d + ":")));
    }

    /** Registry entry {@code fm}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("fm", "FM (Rendle 2010) on user and item ids: w0 + b_u + b_i + <v_u, v_i>; non-sequential, serves known users by id");
        }

        @Override
        public boolean readsUsers() {
            return true;
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.remove("layers");
            m.remove("dropout");
            m.put(NUM_USERS, 0);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Hyper h = Hyper.from(params);
            return new Fm(manager, numItems, Hyper.intOf(params, NUM_USERS, 0), h.hidden(), h.maxLen());
        }
    }
}
