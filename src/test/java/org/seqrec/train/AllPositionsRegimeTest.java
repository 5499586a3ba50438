package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;

/**
 * The all-positions (BCE) regime's samples and negatives: every real position gets one negative from outside the user's
 * training part, the padding none, and the draws are those of the version before the regimes shared their samples
 * (pinned: a run resumed across that change continues with the same negatives).
 */
class AllPositionsRegimeTest {
    static final int L = 4;
    static final int ITEMS = 9;

    /** States are zero; records the ids each scoring call gets (positives, then negatives). */
    static final class Recording extends NeuralSeqModel {
        final List<long[]> inputs = new ArrayList<>();
        final List<long[]> scored = new ArrayList<>();

        Recording(NDManager m) {
            super(m, ITEMS, L);
            params.zeros("item_emb", new Shape(ITEMS + 1, 2));
            params.get("item_emb").set(embedding());
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        protected String itemTable() {
            return "item_emb";
        }

        @Override
        public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
            inputs.add(ids.toLongArray());
            return itemEmbeddings(p, ids);
        }

        @Override
        public NDArray scoreItems(Params.Bound p, NDArray rep, NDArray ids) {
            scored.add(ids.toLongArray());
            return super.scoreItems(p, rep, ids);
        }
    }

    /** Item i's embedding (i / 10, 1 - i / 5); row 0, the padding, (0, 1) but never read at a real position. */
    static float[] embedding() {
        float[] e = new float[(ITEMS + 1) * 2];
        for (int i = 0; i <= ITEMS; i++) {
            e[2 * i] = i / 10f;
            e[2 * i + 1] = 1 - i / 5f;
        }
        return e;
    }

    /** The BCE of one real position, by hand: -log σ(E[in]·E[pos]) - log(1 - σ(E[in]·E[neg])). */
    static double bce(long in, long pos, long neg) {
        float[] e = embedding();
        double sp = e[2 * (int) in] * e[2 * (int) pos] + e[2 * (int) in + 1] * e[2 * (int) pos + 1];
        double sn = e[2 * (int) in] * e[2 * (int) neg] + e[2 * (int) in + 1] * e[2 * (int) neg + 1];
        return Math.log1p(Math.exp(-sp)) + Math.log1p(Math.exp(sn));
    }

    @Test
    void everyRealPositionGetsOneNegativeFromOutsideTheTrainingPartAsBefore() {
        Dataset data = new Dataset("tiny", List.of("a", "b", "c", "d"),
                List.of(new int[] {1, 2, 3, 4, 5, 6, 7}, new int[] {2, 4, 1, 3}, new int[] {9, 8, 7, 1, 2, 3, 4, 5}, new int[] {5, 6, 7}),
                ITEMS, null, null);
        LeaveOneOut split = new LeaveOneOut(data);
        try (NDManager m = NDManager.newBaseManager()) {
            Recording model = new Recording(m);
            Regime.Epoch epoch = new AllPositionsRegime().epoch(split, L, new SplitMix64(17));
            assertThat(epoch.size()).isEqualTo(3); // d's training part (5) has no pair
            float loss = epoch.loss(model, model.params().bind(m), 0, 3, m).getFloat();
            long[] inputs = model.inputs.get(0);
            long[] pos = model.scored.get(0);
            long[] neg = model.scored.get(1);
            for (int r = 0; r < 3; r++) {
                long[] row = Arrays.copyOfRange(inputs, r * L, r * L + L);
                int[] train = split.train(trainOwner(split, row));
                for (int j = 0; j < L; j++) {
                    int at = r * L + j;
                    if (inputs[at] == 0) {
                        assertThat(neg[at]).as("padding at %d", at).isZero();
                        assertThat(pos[at]).isZero();
                    } else {
                        assertThat(neg[at]).isBetween(1L, (long) ITEMS);
                        assertThat(Arrays.stream(train).noneMatch(i -> i == neg[at])).as("negative %d of row %d", neg[at], r).isTrue();
                    }
                }
            }
            // the users in the order seed 17 shuffles them (c, a, b), and the draws of 091f6ee's regime on this input
            assertThat(inputs).containsExactly(8, 7, 1, 2, 1, 2, 3, 4, 0, 0, 0, 2);
            assertThat(pos).containsExactly(7, 1, 2, 3, 2, 3, 4, 5, 0, 0, 0, 4);
            assertThat(neg).containsExactly(6, 4, 5, 4, 7, 8, 8, 9, 0, 0, 0, 6);
            // the loss: the mean over the 9 real positions of each one's BCE, by hand
            double sum = 0;
            for (int at = 0; at < inputs.length; at++) {
                if (inputs[at] != 0) {
                    sum += bce(inputs[at], pos[at], neg[at]);
                }
            }
            assertThat((double) loss).isCloseTo(sum / 9, org.assertj.core.data.Offset.offset(1e-5));
            // a batch later in the epoch (samples 1 and 2: a, then b): its rows, and fresh negatives drawn for them
            float tail = epoch.loss(model, model.params().bind(m), 1, 3, m).getFloat();
            long[] tailInputs = model.inputs.get(1);
            assertThat(tailInputs).containsExactly(1, 2, 3, 4, 0, 0, 0, 2);
            long[] tailPos = model.scored.get(2);
            long[] tailNeg = model.scored.get(3);
            double tailSum = 0;
            for (int at = 0; at < tailInputs.length; at++) {
                if (tailInputs[at] != 0) {
                    tailSum += bce(tailInputs[at], tailPos[at], tailNeg[at]);
                }
            }
            assertThat((double) tail).isCloseTo(tailSum / 5, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    /** The user whose training part, all but its last item, ends with the row's inputs (padding left out). */
    private static int trainOwner(LeaveOneOut split, long[] row) {
        long[] real = Arrays.stream(row).filter(x -> x != 0).toArray();
        for (int u : split.users()) {
            int[] t = split.train(u);
            if (t.length - 1 >= real.length && Arrays.equals(real,
                    Arrays.stream(Arrays.copyOfRange(t, t.length - 1 - real.length, t.length - 1)).asLongStream().toArray())) {
                return u;
            }
        }
        throw new AssertionError("no user for " + Arrays.toString(row));
    }
}
