package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;

/**
 * The {@code prefix} regime (ConvFormer, FMLP-Rec, SAR): from the last L items of each training
 * part, {@code t = s[max(0, n-2-L) .. n-3]}, every {@code i} gives the sample (input
 * {@code t[0..i-1]}, target {@code t[i]}); one negative per sample, drawn uniformly from items not
 * in {@code t[0..i]}, fresh every epoch; loss {@code mean(-log σ(pos) - log(1 - σ(neg)))} on the
 * representation at position {@code L-1}.
 */
public final class PrefixRegime implements Regime {
    @Override
    public String name() {
        return "prefix";
    }

    @Override
    public Regime.Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int epochNumber) {
        Samples samples = Samples.shuffled(split, u -> 0, u -> Math.min(split.trainLength(u), maxLen), rng);
        return new Epoch(split, maxLen, rng, samples.users(), samples.index());
    }

    /**
     * The (user, index) pairs of an epoch, shuffled together with the epoch's generator
     * (Fisher-Yates): user {@code u} contributes indices {@code first(u) .. first(u) + count(u) - 1}.
     */
    record Samples(int[] users, int[] index) {
        static Samples shuffled(LeaveOneOut split, java.util.function.IntUnaryOperator first,
                java.util.function.IntUnaryOperator count, SplitMix64 rng) {
            long samples = 0;
            for (int u : split.users()) {
                samples += Math.max(0, count.applyAsInt(u));
            }
            if (samples > Integer.MAX_VALUE - 8) { // Java arrays: the epoch's (user, index) pairs
                throw new org.seqrec.util.SeqrecException(samples + " training samples in one epoch: more than an epoch of this"
                        + " trainer can hold (2^31); shorten --max-len or split the data");
            }
            int total = (int) samples;
            int[] users = new int[total];
            int[] index = new int[total];
            int k = 0;
            for (int u : split.users()) {
                int f = first.applyAsInt(u);
                for (int i = 0; i < count.applyAsInt(u); i++) {
                    users[k] = u;
                    index[k] = f + i;
                    k++;
                }
            }
            for (int i = total - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tu = users[i];
                users[i] = users[j];
                users[j] = tu;
                int ti = index[i];
                index[i] = index[j];
                index[j] = ti;
            }
            return new Samples(users, index);
        }
    }

    private static final class Epoch implements Regime.Epoch {
        private final LeaveOneOut split;
        private final int maxLen;
        private final SplitMix64 rng;
        private final int[] users;
        private final int[] index;

        Epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int[] users, int[] index) {
            this.split = split;
            this.maxLen = maxLen;
            this.rng = rng;
            this.users = users;
            this.index = index;
        }

        @Override
        public int size() {
            return users.length;
        }

        @Override
        public String describe(int i) {
            return "user " + users[i] + ", target t[" + index[i] + "] of " + Math.min(split.trainLength(users[i]), maxLen);
        }

        @Override
        public NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m) {
            int b = to - from;
            long[] inputs = new long[b * maxLen];
            long[] pos = new long[b];
            long[] neg = new long[b];
            int numItems = split.data().numItems();
            for (int r = 0; r < b; r++) {
                int u = users[from + r];
                int[] s = split.data().sequence(u);
                int start = Math.max(0, split.trainLength(u) - maxLen); // t = s[start .. n-3]
                int i = index[from + r];
                // input t[0..i-1] = s[start .. start+i-1], left-padded: the most recent at L-1
                for (int j = 0; j < i; j++) {
                    inputs[r * maxLen + maxLen - i + j] = s[start + j];
                }
                pos[r] = s[start + i];
                neg[r] = drawNegative(s, start, start + i, numItems);
            }
            NDArray ids = m.create(inputs, new Shape(b, maxLen));
            NDArray rep = model.encodeLast(p, ids, model.userRows(users, from, b, m), true); // [B, D]
            NDArray posLogit = model.scoreItems(p, rep, m.create(pos));
            NDArray negLogit = model.scoreItems(p, rep, m.create(neg));
            return binaryLoss(posLogit, negLogit).mean();
        }

        /** Uniform over items not in {@code s[from..to]} (at most L + 1 items to avoid). */
        private int drawNegative(int[] s, int from, int to, int numItems) {
            for (int attempt = 0; ; attempt++) {
                if (attempt == 10_000) {
                    throw new IllegalStateException("no item outside the user's sequence to draw a negative from ("
                            + numItems + " items)");
                }
                int item = 1 + rng.nextInt(numItems);
                boolean seen = false;
                for (int j = from; j <= to; j++) {
                    if (s[j] == item) {
                        seen = true;
                        break;
                    }
                }
                if (!seen) {
                    return item;
                }
            }
        }
    }

    /**
     * Per-sample {@code -log σ(pos) - log(1 - σ(neg))}, computed as {@code softplus(-pos) + softplus(neg)}
     * for stability.
     */
    static NDArray binaryLoss(NDArray posLogit, NDArray negLogit) {
        return Activation.softPlus(posLogit.neg()).add(Activation.softPlus(negLogit));
    }
}
