package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Params;
import org.seqrec.nn.TokenMixer;

/**
 * An order-blind control: the meta-former model without position embeddings whose token mixer is
 * the mean over the sequence's real (unpadded) positions, the same vector for every position. It
 * sees which items occurred, and through the residual the last one, but not their order. (With
 * position embeddings the mean would not be order-blind: LayerNorm of item + position does not
 * separate, so the mean would still encode which item sat where.)
 */
public final class MeanPool {
    private MeanPool() {}

    /** The masked mean over real positions: an order-blind token mixer. */
    public static final class MeanMixer implements TokenMixer {
        @Override
        public boolean ignoresPadding() {
            return true;
        }

        @Override
        public NDArray mix(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            return mixLast(p, x, mask, training).broadcast(x.getShape()); // the same mean at every position
        }

        /** The masked mean over positions, {@code [B, 1, D]}. */
        @Override
        public NDArray mixLast(Params.Bound p, NDArray x, NDArray mask, boolean training) {
            NDArray m = mask.expandDims(2); // [B, L, 1]
            return x.mul(m).sum(new int[] {1}, true).div(m.sum(new int[] {1}, true).maximum(1f));
        }
    }

    /** Registry entry {@code meanpool}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("meanpool", "Order-blind control: mean over positions as the token mixer");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            return m;
        }

        static MetaFormerModel create(NDManager manager, int numItems, Map<String, Object> params) {
            return new MetaFormerModel("meanpool", manager, numItems, Hyper.from(params), (p, name) -> new MeanMixer(), false);
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return MeanPool.Spec.create(manager, numItems, params);
        }

    }
}
