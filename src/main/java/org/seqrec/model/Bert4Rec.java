package org.seqrec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seqrec.eval.EvalBatch;
import org.seqrec.model.layers.Dense;
import org.seqrec.model.layers.MetaFormerBlock;
import org.seqrec.model.layers.Nn;
import org.seqrec.model.layers.Norm;
import org.seqrec.model.layers.Params;
import org.seqrec.model.layers.SelfAttention;
import org.seqrec.model.layers.SequenceEmbedding;
import org.seqrec.train.ClozeRegime;
import org.seqrec.train.Regime;

/**
 * BERT4Rec (Sun et al., CIKM 2019): a bidirectional Transformer encoder (post-LN blocks, multi-head
 * attention over all unpadded positions, GELU FFN D -> 4D -> D) over item plus position embeddings,
 * trained with the Cloze task (a share of the items replaced by a mask token, id {@code n + 1}, and
 * predicted with a softmax over all items; see {@link ClozeRegime}). To recommend, the mask token is
 * appended to the history and the item is predicted at that last position. Output head as in the
 * paper: {@code GELU(W h + b)}, LayerNorm, dot product with the shared item embeddings plus a bias
 * per item. Defaults: the paper's (2 layers, 2 heads, dropout 0.1, mask proportion 0.6 as its best
 * for Beauty) with Table C3's D 64, L 50, lr 1e-3, batch 256.
 */
public final class Bert4Rec extends NeuralSeqModel {
    private final SequenceEmbedding embedding;
    private final List<MetaFormerBlock> blocks = new ArrayList<>();
    private final Dense head;
    private final Norm headNorm;
    private final String bias;

    public Bert4Rec(NDManager manager, int numItems, Hyper h, int heads) {
        super(manager, numItems, h.maxLen());
        // one more row than the other models: the mask token n + 1
        this.embedding = new SequenceEmbedding(params, numItems + 1, h.maxLen(), h.hidden(), h.dropout());
        for (int i = 0; i < h.layers(); i++) {
            blocks.add(new MetaFormerBlock(params, "blocks." + i, h.hidden(), h.dropout(),
                    (p, name) -> new SelfAttention(p, name, h.hidden(), heads, h.attnDropout())));
        }
        this.head = new Dense(params, "head", h.hidden(), h.hidden());
        this.headNorm = new Norm(params, "head_norm", h.hidden());
        this.bias = params.zeros("item_bias", new Shape(numItems + 2));
    }

    /** The mask token's id. */
    public int maskToken() {
        return numItems + 1;
    }

    @Override
    public String name() {
        return "bert4rec";
    }

    @Override
    protected String itemTable() {
        return embedding.itemTable();
    }

    /** The output head's states, {@code [B, L, D]}: what is scored against the items. */
    @Override
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        NDArray mask = SequenceEmbedding.mask(ids);
        NDArray x = embedding.forward(p, ids, mask, training, false);
        for (MetaFormerBlock b : blocks) {
            x = b.forward(p, x, mask, training, false);
        }
        return headNorm.forward(p, Nn.gelu(head.forward(p, x)));
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        NDArray mask = SequenceEmbedding.mask(ids);
        NDArray x = embedding.forward(p, ids, mask, training, false);
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(p, x, mask, training, i == blocks.size() - 1);
        }
        return headNorm.forward(p, Nn.gelu(head.forward(p, x.squeeze(1))));
    }

    @Override
    public NDArray scoreItems(Params.Bound p, NDArray rep, NDArray ids) {
        return super.scoreItems(p, rep, ids).add(Nn.embedding(ids, p.get(bias).expandDims(1)).squeeze(-1));
    }

    /** Scores of items 0..n (the mask token is not an answer): {@code [B, n + 1]}. */
    @Override
    public NDArray scoreAllItems(Params.Bound p, NDArray rep) {
        NDIndex real = new NDIndex("0:" + (numItems + 1));
        return rep.matMul(p.get(itemTable()).get(real).transpose()).add(p.get(bias).get(real));
    }

    /** The last L-1 items of the history, then the mask token at position L-1. */
    @Override
    protected NDArray evalInputs(EvalBatch batch, NDManager manager) {
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
        public Regime regime(Map<String, Object> params) {
            return new ClozeRegime(Hyper.floatOf(params, "mask_prob", 0.6f));
        }
    }
}
