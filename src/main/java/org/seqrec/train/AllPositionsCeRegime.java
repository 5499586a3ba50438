package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;

/**
 * The {@code all-positions-CE} regime (LRURec's authors' training; SASRec trained with cross-entropy): the samples of
 * {@link AllPositionsRegime} (one per user and epoch, the last L items of the training part, every position under the
 * model's causal mask predicting the item after it), with softmax cross-entropy against every item (ids 1..n) at each
 * real position, averaged over the batch's real positions (PyTorch's {@code CrossEntropyLoss(ignore_index=0)}). The
 * targets are those of the {@code prefix-CE} regime whose prefix fits in L, from one encoder pass per user instead of
 * one per prefix. Only the real positions' states are scored: the padding never costs an n-way softmax.
 */
public final class AllPositionsCeRegime implements Regime {
    @Override
    public String name() {
        return "all-positions-CE";
    }

    @Override
    public Regime.Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int epochNumber) {
        return new AllPositionsRegime.UserEpoch(split, maxLen, rng) {
            @Override
            public NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m) {
                AllPositionsRegime.Window w = window(from, to);
                int count = 0;
                for (float r : w.real()) {
                    count += (int) r;
                }
                long[] at = new long[count];
                long[] targets = new long[count];
                for (int i = 0, k = 0; i < w.real().length; i++) {
                    if (w.real()[i] == 1f) {
                        at[k] = i;
                        targets[k++] = w.targets()[i];
                    }
                }
                NDArray states = model.encodeAll(p, m.create(w.inputs(), new Shape(to - from, maxLen)), true);
                NDArray flat = states.reshape(new Shape(-1, states.getShape().get(2))); // [B * L, D]
                return PrefixCeRegime.crossEntropy(model, p, Nn.embedding(m.create(at), flat), m.create(targets));
            }
        };
    }
}
