package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;

/**
 * The {@code prefix-CE} regime (AdaMCT, RecGRELA; RecBole's convention, protocols.md section 3):
 * from the whole training part {@code t = s[0 .. n-3]}, every item but the first is a target: for
 * {@code i} in {@code 1 .. |t|-1} the sample (input = the last L items of {@code t[0..i-1]}, target
 * {@code t[i]}). Loss: softmax cross-entropy of the representation at position {@code L-1} against
 * every item (ids 1..n; the padding row is never a class), averaged over the batch.
 */
public final class PrefixCeRegime implements Regime {
    @Override
    public String name() {
        return "prefix-CE";
    }

    @Override
    public Regime.Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int epochNumber) {
        return new SampleEpoch(split, maxLen, rng) {
            @Override
            public NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m) {
                NDArray[] batch = batch(from, to, m);
                NDArray rep = model.encodeLast(p, batch[0], model.userRows(users, from, to - from, m), true);
                return crossEntropy(model, p, rep, batch[1]);
            }
        };
    }

    /** An epoch of the prefix-CE samples, shuffled: every item of the training part but the first is a target. */
    abstract static class SampleEpoch implements Regime.Epoch {
        final LeaveOneOut split;
        final int maxLen;
        final int[] users;
        final int[] index;

        SampleEpoch(LeaveOneOut split, int maxLen, SplitMix64 rng) {
            PrefixRegime.Samples samples = PrefixRegime.Samples.shuffled(split, u -> 1, u -> split.trainLength(u) - 1, rng);
            this.split = split;
            this.maxLen = maxLen;
            this.users = samples.users();
            this.index = samples.index();
        }

        @Override
        public int size() {
            return users.length;
        }

        @Override
        public String describe(int i) {
            return "user " + users[i] + ", target t[" + index[i] + "] of " + split.trainLength(users[i]);
        }

        /** Samples {@code [from, to)}: inputs and targets ({@link #inputsAndTargets}). */
        NDArray[] batch(int from, int to, NDManager m) {
            return inputsAndTargets(split, users, index, from, to, maxLen, m);
        }
    }

    /**
     * Samples {@code [from, to)} of an epoch (user {@code users[k]}, target position {@code index[k]}) as arrays: the
     * left-padded inputs int64 {@code [B, L]} (the last L items before the target, the most recent at L-1) and the
     * targets int64 {@code [B]}.
     */
    static NDArray[] inputsAndTargets(LeaveOneOut split, int[] users, int[] index, int from, int to, int maxLen, NDManager m) {
        int b = to - from;
        long[] inputs = new long[b * maxLen];
        long[] targets = new long[b];
        for (int r = 0; r < b; r++) {
            int[] s = split.data().sequence(users[from + r]);
            int i = index[from + r];
            int len = Math.min(i, maxLen); // input s[i-len .. i-1], the most recent at L-1
            for (int j = 0; j < len; j++) {
                inputs[r * maxLen + maxLen - len + j] = s[i - len + j];
            }
            targets[r] = s[i];
        }
        return new NDArray[] {m.create(inputs, new Shape(b, maxLen)), m.create(targets)};
    }

    /**
     * Mean softmax cross-entropy of representations {@code rep [B, D]} against {@code targets [B]}
     * (int64 ids in 1..n) over the items 1..n (the padding row is never a class):
     * {@code logsumexp_i(score_i) - score_target}. The target's score is its own dot product, so the
     * backward pass never scatters into a {@code [B, n]} array; the log-sum-exp is shifted by the
     * (constant) row maximum for stability.
     */
    public static NDArray crossEntropy(NeuralSeqModel model, Params.Bound p, NDArray rep, NDArray targets) {
        NDArray logits = model.scoreItemRange(p, rep, 1, model.numItems() + 1); // [B, n]
        NDArray max = logits.max(new int[] {1}, true).stopGradient();
        NDArray logSumExp = logits.sub(max).exp().sum(new int[] {1}).log().add(max.squeeze(1));
        return logSumExp.sub(model.scoreItems(p, rep, targets)).mean();
    }
}
