package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.FmlpReader;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.testutil.Fixtures;
import org.seqrec.train.Training;

/**
 * ConvFormer-F and the direct circular DWC with mapped weights agree to float precision on real,
 * heavily padded Beauty batches (the first 512 users, L 50, K 45: 77% of the positions are padding),
 * in every hidden state, the user representations, the full-ranking scores and the ranks. Before
 * the padding fix in {@link ConvFormer.FftConv}, with the mixer bias 0 (the authors' FFT layer has
 * none), the representations differed by 0.05 and 162 of the 512 target ranks moved.
 *
 * <p>Tolerances: both paths are correct float32 computations of the same function that sum in a
 * different order (a K-tap sum against an FFT of length L), through two blocks of LayerNorm; the
 * hidden states are O(1) (LayerNorm outputs, |x| < 5, one ulp 2.4e-7 to 4.8e-7) and differ by at
 * most about 2e-6, so {@value #STATE_TOL} leaves a margin of 5 and is still 4,000 times below the
 * failure. Scores are dot products with the item table (|e| about 0.16), |s| < 1.5, measured
 * differences 3e-7: {@value #SCORE_TOL}. A rank can then only move where two items' scores lie
 * within {@code 2 * SCORE_TOL} of each other.
 */
class ConvFormerFftPaddingTest {
    static final float STATE_TOL = 1e-5f;
    static final float SCORE_TOL = 2e-6f;
    static final int USERS = 512;
    static final int BATCH = 256;
    static final int LEN = 50;
    static final int K = 45;

    static NDManager manager;
    static Dataset data;
    static LeaveOneOut split;

    @BeforeAll
    static void load() {
        Path beauty = Fixtures.SHARED_FMLP.resolve("Beauty.txt");
        assumeTrue(Files.isRegularFile(beauty), "../shared not present");
        data = FmlpReader.read(beauty);
        split = new LeaveOneOut(data);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    /** The test batch of users {@code from .. from+BATCH-1}, built the way the {@code Evaluator} builds it. */
    static HistoryBatch batch(int from) {
        int[] us = new int[BATCH];
        int[][] seqs = new int[BATCH][];
        int[] lens = new int[BATCH];
        int[] targets = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            int u = split.users()[from + i];
            us[i] = u;
            seqs[i] = data.sequence(u);
            lens[i] = split.inputLength(u, LeaveOneOut.Part.TEST);
            targets[i] = split.target(u, LeaveOneOut.Part.TEST);
        }
        return new HistoryBatch(us, seqs, lens, targets);
    }

    /**
     * @param bias {@code init}: the direct DWC's own initial bias, N(0, 5e-3); {@code zero}: bias 0,
     *     as an import of the authors' FFT layer (no bias) gives, the case where padded rows reach the
     *     LayerNorm with (near) zero spread
     */
    @ParameterizedTest
    @ValueSource(strings = {"init", "zero"})
    void fftPathEqualsDirectConvolutionOnPaddedBeautyBatches(String bias) {
        Map<String, Object> p = new LinkedHashMap<>(Training.defaults(ModelRegistry.get("convformer")));
        p.put("kernel", K);
        p.put("max_len", LEN);
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(11);
            MetaFormerModel direct = ConvFormer.build(ConvFormer.Variant.CONVFORMER, m, data.numItems(), p);
            MetaFormerModel fft = ConvFormer.build(ConvFormer.Variant.CONVFORMER_F, m, data.numItems(), p);
            mapWeights(direct, fft, bias.equals("zero"));
            float stateDiff = 0;
            float repDiff = 0;
            float scoreDiff = 0;
            int padded = 0;
            int targetMoved = 0;
            long itemsMoved = 0;
            long nearTies = 0;
            int maxMove = 0;
            long unexplained = 0;
            for (int from = 0; from < USERS; from += BATCH) {
                HistoryBatch batch = batch(from);
                for (int i = 0; i < BATCH; i++) {
                    padded += Math.max(0, LEN - batch.length(i));
                }
                try (NDManager b = m.newSubManager()) {
                    NDArray ids = batch.paddedInputs(b, LEN);
                    NDArray allD = direct.encodeAll(direct.params().bind(b), ids, false);
                    NDArray allF = fft.encodeAll(fft.params().bind(b), ids, false);
                    stateDiff = Math.max(stateDiff, allD.sub(allF).abs().max().getFloat());
                    NDArray repD = direct.encodeLast(direct.params().bind(b), ids, false);
                    NDArray repF = fft.encodeLast(fft.params().bind(b), ids, false);
                    repDiff = Math.max(repDiff, repD.sub(repF).abs().max().getFloat());
                    // what scoreAll computes for the evaluator, from the representations above
                    float[] sD = direct.scoreAllItems(direct.params().bind(b), repD).toFloatArray();
                    float[] sF = fft.scoreAllItems(fft.params().bind(b), repF).toFloatArray();
                    int width = data.numItems() + 1;
                    for (int i = 0; i < BATCH; i++) {
                        float[] rowD = Arrays.copyOfRange(sD, i * width + 1, (i + 1) * width); // items 1..n
                        float[] rowF = Arrays.copyOfRange(sF, i * width + 1, (i + 1) * width);
                        for (int j = 0; j < rowD.length; j++) {
                            scoreDiff = Math.max(scoreDiff, Math.abs(rowD[j] - rowF[j]));
                        }
                        if (targetRank(rowD, batch, i) != targetRank(rowF, batch, i)) {
                            targetMoved++;
                        }
                        // every item's rank, and the near-ties in the direct path's scores that may move it
                        int[] rD = new int[rowD.length];
                        int[] rF = new int[rowF.length];
                        int[] ties = new int[rowD.length];
                        ranks(rowD, rD, ties, 2.0 * SCORE_TOL);
                        ranks(rowF, rF, null, 0);
                        for (int j = 0; j < rowD.length; j++) {
                            nearTies += ties[j];
                            if (rD[j] != rF[j]) {
                                itemsMoved++;
                                maxMove = Math.max(maxMove, Math.abs(rD[j] - rF[j]));
                                if (Math.abs(rD[j] - rF[j]) > ties[j]) {
                                    unexplained++; // moved past items that do not tie with it within 2 * SCORE_TOL
                                }
                            }
                        }
                    }
                }
            }
            System.out.printf("convformer-f vs convformer, bias %s, %d Beauty users (%.0f%% padding): max |diff| states %.3g,"
                    + " representations %.3g, scores %.3g; target ranks moved %d; item ranks moved %d of %d (max %d),"
                    + " near-ties within %.1g: %d, moves beyond them: %d%n", bias, USERS, 100.0 * padded / (USERS * LEN), stateDiff,
                    repDiff, scoreDiff, targetMoved, itemsMoved, (long) USERS * data.numItems(), maxMove, 2.0 * SCORE_TOL, nearTies,
                    unexplained);
            assertThat(stateDiff).as("hidden states, every position").isLessThanOrEqualTo(STATE_TOL);
            assertThat(repDiff).as("user representations").isLessThanOrEqualTo(STATE_TOL);
            assertThat(scoreDiff).as("full-ranking scores").isLessThanOrEqualTo(SCORE_TOL);
            assertThat(targetMoved).as("target ranks that moved").isZero();
            assertThat(unexplained).as("item ranks that moved by more than their near-ties").isZero();
        }
    }

    /** Copies every weight of {@code direct} into {@code fft}, the DWC kernel reversed in time: C[m, d] = w[d, K-1-m]. */
    static void mapWeights(MetaFormerModel direct, MetaFormerModel fft, boolean zeroMixerBias) {
        int d = (int) direct.params().get("item_emb").getShape().get(1);
        for (Map.Entry<String, NDArray> e : direct.params().all().entrySet()) {
            String name = e.getKey();
            if (name.endsWith(".mixer.weight")) {
                float[] w = e.getValue().toFloatArray(); // [D, 1, K]
                float[] c = new float[K * d];
                for (int ch = 0; ch < d; ch++) {
                    for (int j = 0; j < K; j++) {
                        c[(K - 1 - j) * d + ch] = w[ch * K + j];
                    }
                }
                fft.params().get(name.replace(".mixer.weight", ".mixer.kernel")).set(c);
                continue;
            }
            if (name.endsWith(".mixer.bias") && zeroMixerBias) {
                e.getValue().set(new float[d]);
            }
            fft.params().get(name).set(e.getValue().toFloatArray());
        }
        assertThat(fft.params().all().keySet()).hasSameSizeAs(direct.params().all().keySet());
    }

    /** The evaluator's rank: candidates (all items but the history, the target never) scoring >= the target. */
    static int targetRank(float[] items, HistoryBatch batch, int i) {
        int target = batch.target(i);
        boolean[] excluded = new boolean[items.length + 1];
        for (int item : batch.history(i)) {
            excluded[item] = item != target;
        }
        float t = items[target - 1];
        int rank = 0;
        for (int j = 0; j < items.length; j++) {
            if (j + 1 != target && !excluded[j + 1] && items[j] >= t) {
                rank++;
            }
        }
        return rank;
    }

    /**
     * {@code rank[j]}: how many other items score {@code >= scores[j]} (the evaluator's rule); with
     * {@code ties} non-null, {@code ties[j]}: how many other items score within {@code window} of it.
     * One sort of (score, index) keys, then linear sweeps.
     */
    static void ranks(float[] scores, int[] rank, int[] ties, double window) {
        int n = scores.length;
        long[] keys = new long[n];
        for (int j = 0; j < n; j++) {
            int bits = Float.floatToIntBits(scores[j]);
            bits ^= (bits >> 31) & 0x7fffffff; // ordered like the floats (no NaN here)
            keys[j] = ((long) bits << 32) | j;
        }
        Arrays.sort(keys);
        float[] sorted = new float[n];
        for (int q = 0; q < n; q++) {
            sorted[q] = scores[(int) keys[q]];
        }
        int groupStart = 0;
        int lo = 0;
        int hi = 0;
        for (int q = 0; q < n; q++) {
            if (sorted[q] != sorted[groupStart]) {
                groupStart = q;
            }
            int j = (int) keys[q];
            rank[j] = n - groupStart - 1;
            if (ties != null) {
                while (sorted[lo] < sorted[q] - window) {
                    lo++;
                }
                while (hi < n && sorted[hi] <= sorted[q] + window) {
                    hi++;
                }
                ties[j] = hi - lo - 1;
            }
        }
    }
}
