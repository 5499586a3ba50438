package org.seqrec.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import me.tongfei.progressbar.ProgressBar;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.Negatives;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.Scorer;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

/**
 * Batched evaluation of any {@link Scorer} under a {@link Protocol}. Ranks follow the tie rule of
 * protocols.md section 4 and are computed in the engine: for full ranking, one {@code [B, n+1]}
 * score matrix per batch (at most 16 MB), then a count of the candidates that score at least as high
 * as the target, the history's items (the target never) not counted; no sort at all.
 */
public final class Evaluator {
    private final LeaveOneOut split;
    private final Protocol protocol;
    private final Negatives negatives;
    private final int batchSize;

    /**
     * @param negatives required for the sampled protocols (with {@code protocol.negatives()} per
     *     user), ignored for full ranking
     */
    public Evaluator(LeaveOneOut split, Protocol protocol, Negatives negatives, int batchSize) {
        if (protocol.sampled()) {
            if (negatives == null) {
                throw new SeqrecException("the " + protocol.key() + " protocol needs a negatives file");
            }
            if (negatives.count() != protocol.negatives()) {
                throw new SeqrecException("the " + protocol.key() + " protocol needs " + protocol.negatives()
                        + " negatives per user, the negatives given have " + negatives.count());
            }
        }
        if (batchSize < 1) {
            throw new SeqrecException("evaluation batch size must be positive, got " + batchSize);
        }
        this.split = split;
        this.protocol = protocol;
        this.negatives = negatives;
        this.batchSize = batchSize;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** The negatives of a sampled protocol (null under full ranking). */
    public Negatives negatives() {
        return negatives;
    }

    public EvalResult evaluate(Scorer scorer, LeaveOneOut.Part part, NDManager manager) {
        if (scorer.numItems() != split.data().numItems()) {
            throw new SeqrecException("the model knows " + scorer.numItems() + " items but " + split.data().name()
                    + " has " + split.data().numItems() + ": was it trained on this dataset?");
        }
        long start = System.nanoTime();
        int[] users = split.users();
        int[] ranks = new int[users.length];
        try (ProgressBar bar = Progress.bar("eval " + part.key() + " (" + protocol.key() + ")", users.length, "users")) {
            int step = protocol.sampled() ? batchSize : fullBatch(batchSize, scorer.numItems());
            for (int from = 0; from < users.length; from += step) {
                int to = Math.min(users.length, from + step);
                HistoryBatch batch = batch(users, from, to, part);
                try (NDManager m = manager.newSubManager()) {
                    int[] r = protocol.sampled() ? sampledRanks(scorer, batch, m) : fullRanks(scorer, batch, m);
                    System.arraycopy(r, 0, ranks, from, r.length);
                }
                bar.stepTo(to);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EvalResult(protocol, part, RankMetrics.compute(ranks), users.clone(), ranks, seconds);
    }

    private HistoryBatch batch(int[] users, int from, int to, LeaveOneOut.Part part) {
        int b = to - from;
        int[] us = new int[b];
        int[][] seqs = new int[b][];
        int[] lens = new int[b];
        int[] targets = new int[b];
        Dataset data = split.data();
        for (int i = 0; i < b; i++) {
            int u = users[from + i];
            us[i] = u;
            seqs[i] = data.sequence(u);
            lens[i] = split.inputLength(u, part);
            targets[i] = split.target(u, part);
        }
        return new HistoryBatch(us, seqs, lens, targets);
    }

    /** Target in column 0, then the user's negatives; rank = how many negatives score >= the target. */
    private int[] sampledRanks(Scorer scorer, HistoryBatch batch, NDManager m) {
        int b = batch.size();
        int c = protocol.negatives() + 1;
        long[] cand = new long[b * c];
        for (int i = 0; i < b; i++) {
            cand[i * c] = batch.target(i);
            int[] negs = negatives.of(batch.user(i));
            for (int j = 0; j < negs.length; j++) {
                cand[i * c + 1 + j] = negs[j];
            }
        }
        NDArray scores = scorer.scoreCandidates(batch, m.create(cand, new Shape(b, c)), m);
        checkShape(scores, b, c);
        NDArray target = scores.get(new NDIndex(":, 0:1"));
        NDArray rank = scores.get(new NDIndex(":, 1:")).gte(target).sum(new int[] {1});
        return fixNaN(rank.toType(DataType.INT32, false).toIntArray(), target, c);
    }

    /**
     * Users per batch under full ranking: at most {@link #FULL_SCORES_BYTES} of scores per batch, so
     * that the {@code [B, n+1]} matrix stays below glibc's largest mmap threshold (32 MB) and is
     * reused from the heap instead of being mapped, faulted in and unmapped for every batch (at 40K
     * items and 256 users it was 41 MB, and 40-44% of the pass went to the kernel: bench/results/eval-speed.md).
     */
    static int fullBatch(int batchSize, int numItems) {
        return fullBatch(batchSize, numItems, FULL_SCORES_BYTES);
    }

    /** Rows of a {@code [rows, numItems + 1]} float score matrix within {@code bytes}: at least 1, at most {@code batchSize}. */
    public static int fullBatch(int batchSize, int numItems, long bytes) {
        long perUser = 4L * (numItems + 1);
        return (int) Math.max(1, Math.min(batchSize, bytes / perUser));
    }

    /** The score matrix one full-ranking batch may take. */
    static final long FULL_SCORES_BYTES = 16L << 20;

    /**
     * Every item but padding and the input's items (the target never) is a candidate. The rank counts
     * the columns that score at least as high as the target, less the target itself and less the
     * masked columns (padding and the history's distinct items) that do: the same count as setting
     * those columns to -inf first, without writing a copy of the score matrix.
     */
    private int[] fullRanks(Scorer scorer, HistoryBatch batch, NDManager m) {
        int b = batch.size();
        int width = scorer.numItems() + 1;
        NDArray scores = scorer.scoreAll(batch, m);
        checkShape(scores, b, width);
        int most = 1; // columns masked per row at most: padding and the history
        for (int i = 0; i < b; i++) {
            most = Math.max(most, batch.length(i) + 1);
        }
        long[] targets = new long[b];
        long[] index = new long[b * most]; // row i's masked columns from i * most, the unused rest invalid
        boolean[] valid = new boolean[b * most];
        java.util.BitSet seen = new java.util.BitSet(width);
        for (int i = 0; i < b; i++) {
            int target = batch.target(i);
            targets[i] = target;
            int at = i * most;
            valid[at++] = true; // index 0: the padding column
            seen.clear();
            for (int j = 0; j < batch.length(i); j++) {
                int item = batch.item(i, j);
                if (item != target && item != 0 && !seen.get(item)) {
                    seen.set(item);
                    index[at] = item;
                    valid[at++] = true;
                }
            }
        }
        NDArray target = scores.gather(m.create(targets, new Shape(b, 1)), 1);
        NDArray atLeast = count(scores.gte(target), width);
        NDArray maskedAtLeast = count(scores.gather(m.create(index, new Shape(b, most)), 1).gte(target)
                .logicalAnd(m.create(valid, new Shape(b, most))), width);
        NDArray rank = atLeast.sub(maskedAtLeast).sub(1);
        return fixNaN(rank.toType(DataType.INT32, false).toIntArray(), target, width - 1);
    }

    /**
     * The true entries of each row of a boolean matrix of {@code width} columns. The engine sums booleans into int64, converting
     * the whole matrix first; counted as float32 instead (exact below 2^24 columns) the count is faster
     * (bench/rank-count.sh, bench/results/rank-count.md).
     */
    static NDArray count(NDArray bool, int width) {
        return width < (1 << 24) ? bool.toType(DataType.FLOAT32, false).sum(new int[] {1}) : bool.sum(new int[] {1});
    }

    private static void checkShape(NDArray scores, int rows, int cols) {
        Shape s = scores.getShape();
        if (s.dimension() != 2 || s.get(0) != rows || s.get(1) != cols) {
            throw new IllegalStateException("scorer returned shape " + s + ", expected (" + rows + ", " + cols + ")");
        }
    }

    /** A NaN target score matches nothing; give it the worst rank instead of a meaningless one. */
    private static int[] fixNaN(int[] ranks, NDArray target, int worst) {
        boolean[] nan = target.isNaN().toBooleanArray();
        for (int i = 0; i < ranks.length; i++) {
            if (nan[i]) {
                ranks[i] = worst - 1;
            }
        }
        return ranks;
    }
}
