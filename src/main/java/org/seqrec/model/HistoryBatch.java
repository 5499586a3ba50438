package org.seqrec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A batch of histories to score, for recommending or evaluating: for each row a history (the prefix
 * {@code seq[0..len-1]} of an item sequence, oldest first) and, when evaluating, the held-out target.
 */
public final class HistoryBatch {
    private final int[] users;
    private final int[][] sequences;
    private final int[] lengths;
    private final int[] targets;

    /**
     * @param users dataset user indices (or -1 for ad-hoc histories)
     * @param sequences item sequences; row {@code b}'s history is {@code sequences[b][0..lengths[b]-1]}
     * @param targets held-out items, or null when recommending
     */
    public HistoryBatch(int[] users, int[][] sequences, int[] lengths, int[] targets) {
        this.users = users;
        this.sequences = sequences;
        this.lengths = lengths;
        this.targets = targets;
    }

    /** A batch of ad-hoc histories (no users, no targets), e.g. for recommending. */
    public static HistoryBatch ofHistories(int[][] histories) {
        int[] users = new int[histories.length];
        int[] lengths = new int[histories.length];
        for (int b = 0; b < histories.length; b++) {
            users[b] = -1;
            lengths[b] = histories[b].length;
        }
        return new HistoryBatch(users, histories, lengths, null);
    }

    public int size() {
        return users.length;
    }

    public int user(int b) {
        return users[b];
    }

    public int length(int b) {
        return lengths[b];
    }

    /** Item {@code i} of row {@code b}'s history. */
    public int item(int b, int i) {
        return sequences[b][i];
    }

    /** Row {@code b}'s full history as a new array. */
    public int[] history(int b) {
        return java.util.Arrays.copyOf(sequences[b], lengths[b]);
    }

    public int target(int b) {
        return targets[b];
    }

    public boolean hasTargets() {
        return targets != null;
    }

    /** The histories truncated to their last {@code maxLen} items and left-padded with 0: int64 {@code [B, maxLen]}. */
    public NDArray paddedInputs(NDManager manager, int maxLen) {
        long[] flat = new long[users.length * maxLen];
        for (int b = 0; b < users.length; b++) {
            int[] row = leftPad(sequences[b], lengths[b], maxLen);
            for (int j = 0; j < maxLen; j++) {
                flat[b * maxLen + j] = row[j];
            }
        }
        return manager.create(flat, new Shape(users.length, maxLen));
    }

    /**
     * The last {@code maxLen} items of {@code seq[0..len-1]}, left-padded with 0 to length
     * {@code maxLen}: the most recent item is at position {@code maxLen - 1}.
     */
    public static int[] leftPad(int[] seq, int len, int maxLen) {
        int[] out = new int[maxLen];
        int take = Math.min(len, maxLen);
        System.arraycopy(seq, len - take, out, maxLen - take, take);
        return out;
    }
}
