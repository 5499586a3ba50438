package org.seqrec.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut.Part;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.Negatives;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.Scorer;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

class EvaluatorTest {
    static NDManager manager;

    @BeforeAll
    static void engine() {
        Progress.setEnabled(false);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Scores fixed per (user, item); the same table serves both protocols. */
    static final class TableScorer implements Scorer {
        final float[][] table; // [user][item]

        TableScorer(float[][] table) {
            this.table = table;
        }

        @Override
        public int numItems() {
            return table[0].length - 1;
        }

        @Override
        public NDArray scoreAll(HistoryBatch batch, NDManager m) {
            float[] flat = new float[batch.size() * table[0].length];
            for (int b = 0; b < batch.size(); b++) {
                System.arraycopy(table[batch.user(b)], 0, flat, b * table[0].length, table[0].length);
            }
            return m.create(flat, new Shape(batch.size(), table[0].length));
        }
    }

    @Test
    void constantScorerGetsZeroHitsUnderSampled() {
        Dataset d = Synthetic.random(40, 300, 3, 14, 1);
        LeaveOneOut split = new LeaveOneOut(d);
        float[][] table = new float[d.numUsers()][d.numItems() + 1];
        Evaluator ev = new Evaluator(split, Protocol.SAMPLED, Negatives.derived(d, 99, 5), 16);
        EvalResult r = ev.evaluate(new TableScorer(table), Part.TEST, manager);
        assertThat(r.ranks()).containsOnly(99);
        assertThat(r.metric("HR@10")).isZero();
        assertThat(r.metric("MRR")).isCloseTo(0.01, within(1e-12));
    }

    @Test
    void engineRanksEqualBruteForceOnBothProtocols() {
        Dataset d = Synthetic.random(70, 200, 3, 14, 2);
        LeaveOneOut split = new LeaveOneOut(d);
        SplitMix64 rng = new SplitMix64(9);
        float[][] table = new float[d.numUsers()][d.numItems() + 1];
        for (float[] row : table) {
            for (int i = 0; i < row.length; i++) {
                row[i] = rng.nextInt(8); // few distinct values: many ties
            }
        }
        Negatives negs = Negatives.derived(d, 99, 3);
        for (Part part : Part.values()) {
            EvalResult sampled = new Evaluator(split, Protocol.SAMPLED, negs, 7).evaluate(new TableScorer(table), part, manager);
            EvalResult full = new Evaluator(split, Protocol.FULL, null, 7).evaluate(new TableScorer(table), part, manager);
            for (int i = 0; i < split.numUsers(); i++) {
                int u = split.users()[i];
                float[] row = table[u];
                int target = split.target(u, part);
                // sampled: the target then its 99 negatives
                float[] cand = new float[100];
                cand[0] = row[target];
                for (int j = 0; j < 99; j++) {
                    cand[j + 1] = row[negs.of(u)[j]];
                }
                assertThat(sampled.ranks()[i]).isEqualTo(bruteRank(cand));
                // full: every item except padding and the input's items, the target always in
                Set<Integer> history = new HashSet<>();
                for (int item : split.input(u, part)) {
                    history.add(item);
                }
                List<Float> fullCand = new ArrayList<>();
                fullCand.add(row[target]);
                for (int item = 1; item <= d.numItems(); item++) {
                    if (item != target && !history.contains(item)) {
                        fullCand.add(row[item]);
                    }
                }
                float[] fc = new float[fullCand.size()];
                for (int j = 0; j < fc.length; j++) {
                    fc[j] = fullCand.get(j);
                }
                assertThat(full.ranks()[i]).as("user %d", u).isEqualTo(bruteRank(fc));
            }
            // the metrics from the ranks by their textbook definitions (protocols.md section 4), written out here
            int[] ranks = full.ranks();
            for (int k : new int[] {1, 5, 10, 20}) {
                double hr = 0;
                double ndcg = 0;
                double mrrK = 0;
                for (int r : ranks) {
                    if (r + 1 <= k) { // 1-based position within the top k
                        hr += 1;
                        ndcg += 1 / (Math.log(r + 2) / Math.log(2));
                        mrrK += 1.0 / (r + 1);
                    }
                }
                assertThat(full.metric("HR@" + k)).isCloseTo(hr / ranks.length, within(1e-12));
                assertThat(full.metric("NDCG@" + k)).isCloseTo(ndcg / ranks.length, within(1e-12));
                assertThat(full.metric("MRR@" + k)).isCloseTo(mrrK / ranks.length, within(1e-12));
            }
            double mrr = 0;
            for (int r : ranks) {
                mrr += 1.0 / (r + 1);
            }
            assertThat(full.metric("MRR")).isCloseTo(mrr / ranks.length, within(1e-12));
        }
    }

    /** The target (index 0)'s 0-based rank by sorting: its position among the scores sorted high to low, ties placed before it. */
    private static int bruteRank(float[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // descending score; among equal scores the target last (ties count against it)
        java.util.Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a])
                : Boolean.compare(a == 0, b == 0));
        for (int i = 0; i < order.length; i++) {
            if (order[i] == 0) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    @Test
    void fullSortMasksHistoryButNeverTheTarget() {
        // user 1: items 1 2 3 then target 2 again (a repeat); history items score highest
        Dataset d = Dataset.of("m", List.of("1"), List.of(new int[] {1, 3, 2, 4, 2}));
        LeaveOneOut split = new LeaveOneOut(d);
        float[][] table = {{100, 50, 9, 60, 70}}; // column 0 is padding, highest of all
        EvalResult test = new Evaluator(split, Protocol.FULL, null, 4).evaluate(new TableScorer(table), Part.TEST, manager);
        // input 1 3 2 4 is masked, except item 2 = the target; nothing else is left, so rank 0
        assertThat(test.ranks()).containsExactly(0);
        EvalResult valid = new Evaluator(split, Protocol.FULL, null, 4).evaluate(new TableScorer(table), Part.VALID, manager);
        // input 1 3 2 masked; target 4 (70) competes with nothing else: rank 0. Without masking it would be 0 too,
        // so check a low-scored target: give item 4 the lowest score.
        float[][] low = {{100, 50, 9, 60, 1}};
        EvalResult validLow = new Evaluator(split, Protocol.FULL, null, 4).evaluate(new TableScorer(low), Part.VALID, manager);
        assertThat(valid.ranks()).containsExactly(0);
        assertThat(validLow.ranks()).containsExactly(0); // items 1, 2, 3 are history: masked
        Dataset d2 = Dataset.of("m2", List.of("1"), List.of(new int[] {1, 2, 3, 4, 5}));
        float[][] t2 = {{0, 9, 8, 7, 1, 6}}; // valid: input 1 2 3, target 4, candidate 5 scores higher
        EvalResult v2 = new Evaluator(new LeaveOneOut(d2), Protocol.FULL, null, 4).evaluate(new TableScorer(t2), Part.VALID, manager);
        assertThat(v2.ranks()).containsExactly(1);
    }

    @Test
    void nativeMemoryIsReleasedPerBatch() {
        Dataset d = Synthetic.random(64, 100, 3, 14, 4);
        LeaveOneOut split = new LeaveOneOut(d);
        float[][] table = new float[d.numUsers()][d.numItems() + 1];
        try (NDManager m = NDManager.newBaseManager()) {
            new Evaluator(split, Protocol.FULL, null, 8).evaluate(new TableScorer(table), Part.TEST, m);
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    /** Counts the batches it is asked to score and the rows in each. */
    static final class CountingScorer implements Scorer {
        final TableScorer inner;
        final List<Integer> batchSizes = new ArrayList<>();

        CountingScorer(float[][] table) {
            inner = new TableScorer(table);
        }

        @Override
        public int numItems() {
            return inner.numItems();
        }

        @Override
        public NDArray scoreAll(HistoryBatch batch, NDManager m) {
            batchSizes.add(batch.size());
            return inner.scoreAll(batch, m);
        }
    }

    @Test
    void batchesCoverTheUsersExactlyOnceAndNoneIsEmpty() {
        // 6 users (all splittable), batch size 3 divides them: exactly two batches of 3, never a third, empty one
        List<String> ids = List.of("1", "2", "3", "4", "5", "6");
        List<int[]> seqs = new ArrayList<>();
        for (int u = 0; u < 6; u++) {
            seqs.add(new int[] {1 + u, 2 + u, 3 + u});
        }
        Dataset d = Dataset.of("b", ids, seqs);
        LeaveOneOut split = new LeaveOneOut(d);
        float[][] table = new float[6][d.numItems() + 1];
        CountingScorer full = new CountingScorer(table);
        new Evaluator(split, Protocol.FULL, null, 3).evaluate(full, Part.TEST, manager);
        assertThat(full.batchSizes).containsExactly(3, 3);
        CountingScorer one = new CountingScorer(table);
        // batch size 1 is legal: six batches of one user
        EvalResult r = new Evaluator(split, Protocol.FULL, null, 1).evaluate(one, Part.TEST, manager);
        assertThat(one.batchSizes).containsExactly(1, 1, 1, 1, 1, 1);
        // all scores 0: every unmasked candidate ties with the target. Items 1..8; user u's test input is
        // {1+u, 2+u}, so 8 - 2 - 1 = 5 other candidates, all tied: rank 5
        assertThat(r.ranks()).containsOnly(5);
        assertThatThrownBy(() -> new Evaluator(split, Protocol.FULL, null, 0)).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("batch size");
    }

    @Test
    void largeCataloguesAreScoredInBatchesOfAtMost16MegabytesWithTheSameRanks() {
        // 100,000 items: 400 KB of scores per user, so at most 41 users per batch although 64 were asked for
        int items = 100_000;
        SplitMix64 rng = new SplitMix64(4);
        List<String> ids = new ArrayList<>();
        List<int[]> seqs = new ArrayList<>();
        for (int u = 0; u < 90; u++) {
            int[] s = new int[3 + rng.nextInt(8)];
            for (int j = 0; j < s.length; j++) {
                s[j] = 1 + rng.nextInt(40); // popular items only: repeats in a history, targets seen before
            }
            ids.add("u" + u);
            seqs.add(s);
        }
        seqs.get(0)[seqs.get(0).length - 1] = items; // the largest item occurs, so the catalogue has them all
        Dataset d = Dataset.of("big", ids, seqs);
        assertThat(d.numItems()).isEqualTo(items);
        LeaveOneOut split = new LeaveOneOut(d);
        float[][] table = new float[d.numUsers()][items + 1];
        for (float[] row : table) {
            for (int i = 0; i < row.length; i++) {
                row[i] = rng.nextInt(50); // ties with the target everywhere
            }
        }
        CountingScorer scorer = new CountingScorer(table);
        EvalResult r = new Evaluator(split, Protocol.FULL, null, 64).evaluate(scorer, Part.TEST, manager);
        assertThat(scorer.batchSizes).containsExactly(41, 41, 8);
        for (int i = 0; i < split.numUsers(); i++) {
            int u = split.users()[i];
            int target = split.target(u, Part.TEST);
            Set<Integer> history = new HashSet<>();
            for (int item : split.input(u, Part.TEST)) {
                history.add(item);
            }
            int atLeast = 0; // other candidates scoring >= the target: protocols.md's tie rule, counted directly
            for (int item = 1; item <= items; item++) {
                if (item != target && !history.contains(item) && table[u][item] >= table[u][target]) {
                    atLeast++;
                }
            }
            assertThat(r.ranks()[i]).as("user %d", u).isEqualTo(atLeast);
        }
    }

    @Test
    void countsPastTwoToThe24AreExact() {
        // rows of 2^24 + 1 true values: a float32 sum would round the count to 2^24; narrower rows are counted as floats
        int wide = (1 << 24) + 1;
        NDArray all = manager.ones(new Shape(2, wide)).gte(0.5f);
        assertThat(Evaluator.count(all, wide).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray())
                .containsExactly(wide, wide);
        NDArray some = manager.create(new float[] {1, 0, 1, 1, 0, 0}, new Shape(2, 3)).gte(0.5f);
        assertThat(Evaluator.count(some, 3).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray()).containsExactly(2, 1);
        // narrow rows take the float32 sum (the fast path), rows past 2^24 the engine's int64 one
        assertThat(Evaluator.count(some, 3).getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
        assertThat(Evaluator.count(all, wide).getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.INT64);
    }

    @Test
    void secondsIsTheWallTimeOfTheCall() {
        Dataset d = Synthetic.random(10, 30, 3, 8, 5);
        LeaveOneOut split = new LeaveOneOut(d);
        float[][] table = new float[d.numUsers()][d.numItems() + 1];
        Evaluator ev = new Evaluator(split, Protocol.FULL, null, 4);
        assertThat(ev.protocol()).isSameAs(Protocol.FULL);
        long before = System.nanoTime();
        EvalResult r = ev.evaluate(new TableScorer(table), Part.TEST, manager);
        double outer = (System.nanoTime() - before) / 1e9;
        // bounds, not a timing: the measured interval lies inside the one measured around the call
        assertThat(r.seconds()).isBetween(0.0, outer);
    }

    @Test
    void nanTargetScoreGetsTheWorstRank() {
        // user 1 repeats item 2, so nothing but padding is masked in full ranking: all 5 items are candidates
        // and the worst rank is 4; under the sampled protocol (99 negatives) it is 99
        List<int[]> seqs = new ArrayList<>();
        seqs.add(new int[] {2, 2, 2});
        Dataset d = new Dataset("nan", List.of("1"), seqs, 200, null, null);
        LeaveOneOut split = new LeaveOneOut(d);
        float[][] table = new float[1][201];
        table[0][2] = Float.NaN;
        EvalResult full = new Evaluator(split, Protocol.FULL, null, 2).evaluate(new TableScorer(table), Part.TEST, manager);
        assertThat(full.ranks()).containsExactly(199);
        EvalResult sampled = new Evaluator(split, Protocol.SAMPLED, Negatives.derived(d, 99, 1), 2)
                .evaluate(new TableScorer(table), Part.TEST, manager);
        assertThat(sampled.ranks()).containsExactly(99);
        // a finite target still gets its own rank: best score here
        table[0][2] = 1;
        EvalResult best = new Evaluator(split, Protocol.FULL, null, 2).evaluate(new TableScorer(table), Part.TEST, manager);
        assertThat(best.ranks()).containsExactly(0);
    }

    @Test
    void aScorerOfTheWrongShapeIsRejected() {
        Dataset d = Synthetic.random(5, 150, 3, 6, 6);
        LeaveOneOut split = new LeaveOneOut(d);
        Scorer wrong = new Scorer() {
            @Override
            public int numItems() {
                return d.numItems();
            }

            @Override
            public NDArray scoreAll(HistoryBatch batch, NDManager m) {
                // one column too many: gather and put would still work, the shape check must catch it
                return m.zeros(new Shape(batch.size(), d.numItems() + 2));
            }
        };
        assertThatThrownBy(() -> new Evaluator(split, Protocol.FULL, null, 2).evaluate(wrong, Part.TEST, manager))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shape");
        Scorer wrongSampled = new Scorer() {
            @Override
            public int numItems() {
                return d.numItems();
            }

            @Override
            public NDArray scoreAll(HistoryBatch batch, NDManager m) {
                throw new AssertionError("not used");
            }

            @Override
            public NDArray scoreCandidates(HistoryBatch batch, NDArray candidates, NDManager m) {
                return m.zeros(new Shape(batch.size(), candidates.getShape().get(1) + 1));
            }
        };
        assertThatThrownBy(() -> new Evaluator(split, Protocol.SAMPLED, Negatives.derived(d, 99, 2), 2)
                .evaluate(wrongSampled, Part.TEST, manager)).isInstanceOf(IllegalStateException.class).hasMessageContaining("shape");
    }
}
