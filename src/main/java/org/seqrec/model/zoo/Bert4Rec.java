package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.Hyper;
import org.seqrec.model.MaskedItemModel;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Norm;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;

/**
 * BERT4Rec (Sun et al., CIKM 2019): a bidirectional Transformer encoder (post-LN blocks, multi-head
 * attention over all unpadded positions, GELU FFN D -> 4D -> D) over item plus position embeddings,
 * trained with the Cloze task (a share of the items replaced by a mask token, id {@code n + 1}, and
 * predicted with a softmax over all items; see the Cloze {@link Objective}). To recommend, the mask token is
 * appended to the history and the item is predicted at that last position. Output head as in the
 * paper: {@code GELU(W h + b)}, LayerNorm, dot product with the shared item embeddings plus a bias
 * per item. Defaults: the paper's (2 layers, 2 heads, dropout 0.1, mask proportion 0.6 as its best
 * for Beauty) with Table C3's D 64, L 50, lr 1e-3, batch 256.
 */
public final class Bert4Rec extends MetaFormerModel implements MaskedItemModel {
    private final Dense head;
    private final Norm headNorm;
    private final String bias;

    public Bert4Rec(NDManager manager, int numItems, Hyper h, int heads) {
        // one extra embedding row: the mask token n + 1
        super("bert4rec", manager, numItems, 1, h, (p, name) -> new SelfAttention(p, name, h.hidden(), heads, h.attnDropout()),
                true);
        this.head = new Dense(params, "head", h.hidden(), h.hidden());
        this.headNorm = new Norm(params, "head_norm", h.hidden());
        this.bias = params.zeros("item_bias", new Shape(numItems + 2));
    }

    /** The mask token's id. */
    @Override
    public int maskToken() {
        return numItems + 1;
    }

    @Override
    protected String itemBias() {
        return bias;
    }

    /** The output head {@code LN(GELU(W h + b))} of encoder states {@code h}: what is scored against the items. */
    private NDArray head(Params.Bound p, NDArray states) {
        return headNorm.forward(p, Nn.gelu(head.forward(p, states)));
    }

    /** The output head's states at every position, {@code [B, L, D]}. */
    @Override
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        return head(p, super.encodeAll(p, ids, training));
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        return head(p, super.encodeLast(p, ids, training));
    }

    /** The last L-1 items of the history, then the mask token at position L-1. */
    @Override
    protected NDArray evalInputs(HistoryBatch batch, NDManager manager) {
        NDArray history = batch.paddedInputs(manager, maxLen - 1);
        long[] tokens = new long[batch.size()];
        java.util.Arrays.fill(tokens, maskToken());
        NDArray masks = manager.create(tokens, new Shape(batch.size(), 1));
        return history.concat(masks, 1);
    }

    /** Registry entry {@code bert4rec}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("bert4rec", "BERT4Rec (Sun et al. 2019): bidirectional Transformer, Cloze training with a mask token");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("dropout", 0.1);
            m.put("attn_dropout", 0.1);
            m.put("heads", 2);
            m.put("mask_prob", 0.6);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new Bert4Rec(manager, numItems, Hyper.from(params), Hyper.intOf(params, "heads", 2));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.Cloze(Hyper.floatOf(params, "mask_prob", 0.6f));
        }
    }
}
