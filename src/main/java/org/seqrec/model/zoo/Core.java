package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Dense;
import org.seqrec.nn.MetaFormerBlock;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;
import org.seqrec.nn.SequenceEmbedding;
import org.seqrec.util.SeqrecException;

/**
 * CORE (Hou et al., SIGIR 2022), its transformer form {@code CORE-trm} as RecBole's {@code CORE}: the
 * session is a weighted sum of its own item embeddings, so it lies in the items' space (representation
 * consistency): {@code s = Σ_i α_i x_i} with {@code x_i} the item embeddings (after session dropout) and
 * {@code α = softmax over real positions of w · h_i + b}, {@code h} from post-LN transformer blocks over
 * {@code LN(x + position)} (causal attention, positions counted from the oldest item as RecBole's right
 * padding); robust distance: the score of item j is {@code cos(s, e_j) / τ}. Softmax cross-entropy on the
 * last position (prefix-CE). Defaults are RecBole's: D 64, 2 blocks, 2 heads, inner 256, dropout 0.5
 * (hidden and attention), session dropout 0.2, τ 0.07. Not carried over: RecBole's dropout on the item table
 * inside the loss ({@code item_dropout} 0.2).
 */
public final class Core extends NeuralSeqModel {
    private final SequenceEmbedding embedding;
    private final List<MetaFormerBlock> blocks = new ArrayList<>();
    private final Dense fn;
    private final float sessDropout;
    private final float temperature;

    public Core(NDManager manager, int numItems, Hyper h, int heads, int inner, float sessDropout, float temperature) {
        super(manager, numItems, h.maxLen());
        if (!(temperature > 0)) {
            throw new SeqrecException("CORE's temperature must be positive, got " + temperature);
        }
        int d = h.hidden();
        this.embedding = new SequenceEmbedding(params, numItems, h.maxLen(), d, h.dropout(), true, true);
        float attnDropout = h.attnDropout();
        for (int i = 0; i < h.layers(); i++) {
            blocks.add(new MetaFormerBlock(params, "blocks." + i, d, inner > 0 ? inner : 4 * d, h.dropout(),
                    (p, name) -> new SelfAttention(p, name, d, heads, attnDropout, true, 0)));
        }
        this.fn = new Dense(params, "fn", d, 1);
        this.sessDropout = sessDropout;
        this.temperature = temperature;
    }

    @Override
    public String name() {
        return "core";
    }

    @Override
    protected String itemTable() {
        return embedding.itemTable();
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        NDArray mask = SequenceEmbedding.mask(ids);
        NDArray x = Nn.dropout(p, embedding.lookup(p, ids), sessDropout, training); // [B, L, D]
        NDArray h = embedding.forwardFromRows(p, x, mask, training, false);
        for (MetaFormerBlock b : blocks) {
            h = b.forward(p, h, mask, training, false);
        }
        NDArray logits = fn.forward(p, h).squeeze(2); // [B, L]
        NDArray alpha = Nn.maskedSoftmax(logits, mask, 1).expandDims(2); // over real positions
        NDArray s = alpha.mul(x).sum(new int[] {1}); // [B, D], in the items' space
        return Nn.scale(Nn.l2Normalize(s), 1f / temperature);
    }

    /** Items in the cosine's unit sphere: the scores are {@code cos(s, e) / τ}. */
    @Override
    public NDArray itemEmbeddings(Params.Bound p, NDArray ids) {
        return Nn.l2Normalize(super.itemEmbeddings(p, ids));
    }

    @Override
    public NDArray scoreItemRange(Params.Bound p, NDArray rep, int from, int to) {
        NDArray table = Nn.l2Normalize(p.get(itemTable()).get(new NDIndex(from + ":" + to)));
        return rep.matMul(table.transpose());
    }

    /** Registry entry {@code core}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("core", "CORE-trm (Hou et al. 2022): weighted sum of item embeddings, cosine / temperature, prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("heads", 2);
            m.put("inner", 256);
            m.put("attn_dropout", 0.5);
            m.put("sess_dropout", 0.2);
            m.put("temperature", 0.07);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new Core(manager, numItems, Hyper.from(params), Hyper.intOf(params, "heads", 2), Hyper.intOf(params, "inner", 256),
                    Hyper.floatOf(params, "sess_dropout", 0.2f), Hyper.floatOf(params, "temperature", 0.07f));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }
    }
}
