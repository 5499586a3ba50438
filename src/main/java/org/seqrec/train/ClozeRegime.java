package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.MaskedItemModel;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;
import org.seqrec.util.SeqrecException;

/**
 * BERT4Rec's Cloze task. Each epoch gives every user two samples built from the last {@code L} items
 * of the training part: one where each item is replaced by the mask token with probability
 * {@code maskProb} (at least one), fresh every epoch, and one where only the last item is masked (the
 * paper adds such samples so that training matches prediction, where the mask is appended after the
 * history). Loss: softmax cross-entropy over all items at the masked positions, averaged over them.
 */
public final class ClozeRegime implements Regime {
    private final float maskProb;

    public ClozeRegime(float maskProb) {
        if (!(maskProb > 0f && maskProb <= 1f)) {
            throw new SeqrecException("mask_prob must be in (0, 1], got " + maskProb);
        }
        this.maskProb = maskProb;
    }

    @Override
    public String name() {
        return "cloze";
    }

    @Override
    public Regime.Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int epochNumber) {
        int[] users = AllPositionsRegime.shuffledUsers(split, rng, 1);
        return new Regime.Epoch() {
            @Override
            public int size() {
                return 2 * users.length; // sample 2k: Cloze for users[k]; 2k + 1: last item masked
            }

            @Override
            public NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m) {
                if (!(model instanceof MaskedItemModel withMask)) {
                    throw new SeqrecException("the cloze regime needs a model with a mask token (bert4rec)");
                }
                int maskToken = withMask.maskToken();
                int b = to - from;
                long[] inputs = new long[b * maxLen];
                long[] labels = new long[b * maxLen];
                float[] masked = new float[b * maxLen];
                for (int r = 0; r < b; r++) {
                    int sample = from + r;
                    int[] t = split.train(users[sample / 2]);
                    int len = Math.min(t.length, maxLen);
                    int off = r * maxLen + maxLen - len;
                    int any = -1;
                    for (int j = 0; j < len; j++) {
                        int item = t[t.length - len + j];
                        inputs[off + j] = item;
                        labels[off + j] = item;
                        boolean mask = sample % 2 == 0 ? rng.nextDouble() < maskProb : j == len - 1;
                        if (mask) {
                            inputs[off + j] = maskToken;
                            masked[off + j] = 1f;
                            any = j;
                        }
                    }
                    if (any < 0) { // no position drawn: mask one at random
                        int j = rng.nextInt(len);
                        inputs[off + j] = maskToken;
                        masked[off + j] = 1f;
                    }
                }
                Shape shape = new Shape(b, maxLen);
                NDArray states = model.encodeAll(p, m.create(inputs, shape), true); // [B, L, D]
                NDArray flat = m.create(masked);
                NDArray rows = flat.nonzero().squeeze(1); // the masked positions
                NDArray picked = states.reshape(b * maxLen, -1).get(rows); // [M, D]
                return PrefixCeRegime.crossEntropy(model, p, picked, m.create(labels).get(rows));
            }
        };
    }
}
