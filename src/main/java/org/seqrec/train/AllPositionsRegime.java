package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;

/**
 * The {@code all-positions} regime (SASRec, GRU4Rec; protocols.md section 3): one sample per user
 * and epoch. With the training part {@code t} of length T, the input is the last {@code L} items of
 * {@code t[0..T-2]} and position {@code j} is trained to predict the item after it, under the
 * model's causal mask ({@link NeuralSeqModel#encodeAll}). One negative per position, drawn uniformly
 * from the items not in the user's training part (as in SASRec's code), fresh every epoch; loss
 * {@code -log σ(pos) - log(1 - σ(neg))} averaged over real (unpadded) positions.
 */
public final class AllPositionsRegime implements Regime {
    @Override
    public String name() {
        return "all-positions";
    }

    @Override
    public Regime.Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int epochNumber) {
        return new UserEpoch(split, maxLen, rng) {
            @Override
            public NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m) {
                Window w = window(from, to);
                long[] neg = new long[w.inputs().length];
                int numItems = split.data().numItems();
                for (int r = 0; r < to - from; r++) { // per user, positions in order: the negatives' draw order
                    int[] avoid = split.train(users[from + r]).clone();
                    Arrays.sort(avoid);
                    for (int at = r * maxLen; at < (r + 1) * maxLen; at++) {
                        if (w.real()[at] == 1f) {
                            neg[at] = drawNegative(rng, avoid, numItems);
                        }
                    }
                }
                Shape shape = new Shape(to - from, maxLen);
                NDArray states = model.encodeAll(p, m.create(w.inputs(), shape), true); // [B, L, D]
                NDArray posLogit = model.scoreItems(p, states, m.create(w.targets(), shape));
                NDArray negLogit = model.scoreItems(p, states, m.create(neg, shape));
                NDArray mask = m.create(w.real(), shape).toType(posLogit.getDataType(), false);
                return PrefixRegime.binaryLoss(posLogit, negLogit).mul(mask).sum().div(mask.sum());
            }
        };
    }

    /** An epoch of the all-positions samples: one per user with a training pair, in an order shuffled by the rng. */
    abstract static class UserEpoch implements Regime.Epoch {
        final LeaveOneOut split;
        final int maxLen;
        final int[] users;

        UserEpoch(LeaveOneOut split, int maxLen, SplitMix64 rng) {
            this.split = split;
            this.maxLen = maxLen;
            this.users = shuffledUsers(split, rng, 2);
        }

        @Override
        public int size() {
            return users.length;
        }

        @Override
        public String describe(int i) {
            return "user " + users[i] + ", the last L items of " + split.trainLength(users[i]);
        }

        /** The samples {@code [from, to)}. */
        Window window(int from, int to) {
            return Window.of(split, users, from, to, maxLen);
        }
    }

    /**
     * The all-positions samples of {@code users[from .. to)}, row-major {@code [B, L]}: with the user's training part
     * {@code t} of length T, the inputs are the last L items of {@code t[0..T-2]} (left-padded), {@code targets[j]} the
     * item after input j, {@code real[j]} 1 where position j holds an (input, target) pair.
     */
    record Window(long[] inputs, long[] targets, float[] real) {
        static Window of(LeaveOneOut split, int[] users, int from, int to, int maxLen) {
            int b = to - from;
            long[] inputs = new long[b * maxLen];
            long[] targets = new long[b * maxLen];
            float[] real = new float[b * maxLen];
            for (int r = 0; r < b; r++) {
                int[] t = split.train(users[from + r]);
                int len = Math.min(t.length - 1, maxLen); // positions holding a (input, target) pair
                for (int j = 0; j < len; j++) {
                    int at = r * maxLen + maxLen - len + j;
                    int src = t.length - 1 - len + j;
                    inputs[at] = t[src];
                    targets[at] = t[src + 1];
                    real[at] = 1f;
                }
            }
            return new Window(inputs, targets, real);
        }
    }

    /** The users with at least {@code minTrain} training items, in an order shuffled by {@code rng}. */
    static int[] shuffledUsers(LeaveOneOut split, SplitMix64 rng, int minTrain) {
        int[] users = Arrays.stream(split.users()).filter(u -> split.trainLength(u) >= minTrain).toArray();
        for (int i = users.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = users[i];
            users[i] = users[j];
            users[j] = tmp;
        }
        return users;
    }

    /** Uniform over {@code 1..numItems} minus the sorted {@code avoid}. */
    static int drawNegative(SplitMix64 rng, int[] sortedAvoid, int numItems) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            int item = 1 + rng.nextInt(numItems);
            if (Arrays.binarySearch(sortedAvoid, item) < 0) {
                return item;
            }
        }
        throw new IllegalStateException("no item outside the user's training part to draw a negative from ("
                + numItems + " items)");
    }
}
