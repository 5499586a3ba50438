package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.OwnLossModel;
import org.seqrec.nn.Params;
import org.seqrec.util.SeqrecException;

/**
 * The regime of a model with its own loss ({@link OwnLossModel}): the prefix-CE samples (every item of the training
 * part but the first is a target, {@link PrefixCeRegime}), batches handed to the model's loss with the epoch and the
 * count of batches before them, and each epoch's update restricted to the weights the model names.
 */
final class ModelLossRegime implements Regime {
    private final String name;

    ModelLossRegime(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Regime.Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int epochNumber) {
        return new PrefixCeRegime.SampleEpoch(split, maxLen, rng) {
            private int batchSize; // the first batch's size: every batch but the last has it

            @Override
            public NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m) {
                if (!(model instanceof OwnLossModel own)) {
                    throw new SeqrecException(model.name() + " has no loss of its own: regime " + name + " needs one");
                }
                if (batchSize == 0) {
                    batchSize = to - from;
                }
                int perEpoch = (size() + batchSize - 1) / batchSize;
                long before = (long) (epochNumber - 1) * perEpoch + from / batchSize;
                NDArray[] batch = batch(from, to, m);
                return own.loss(p, batch[0], batch[1], new OwnLossModel.Step(epochNumber, before, perEpoch));
            }
        };
    }

    @Override
    public boolean updates(NeuralSeqModel model, String weight, int epoch) {
        return !(model instanceof OwnLossModel own) || own.updates(weight, epoch);
    }
}
