package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;

/**
 * A training regime of protocols.md section 3: which samples an epoch holds and what loss a batch
 * of them has. The {@link Trainer} loop is the same for every regime.
 */
public interface Regime {
    String name();

    /**
     * The shuffled samples of epoch {@code epochNumber} (1-based; a regime whose epochs differ reads it, e.g. a model's
     * own staged loss); {@code rng} also draws its negatives, in batch order.
     */
    Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int epochNumber);

    /** {@link #epoch(LeaveOneOut, int, SplitMix64, int)} as a first epoch: for callers outside a training run (benchmarks, tests). */
    default Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng) {
        return epoch(split, maxLen, rng, 1);
    }

    /** Whether epoch {@code epoch}'s updates change {@code model}'s weight {@code weight} (every weight, by default). */
    default boolean updates(NeuralSeqModel model, String weight, int epoch) {
        return true;
    }

    /** One epoch's samples. */
    interface Epoch {
        int size();

        /** Sample {@code i} in words, for diagnostics. */
        default String describe(int i) {
            return "sample " + i;
        }

        /** The mean loss of samples {@code [from, to)}, computed with weights {@code p}, arrays in {@code m}. */
        NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m);
    }
}
