package org.seqrec.data;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leave-one-out split of protocols.md section 2. For a sequence {@code s[0..n-1]} with
 * {@code n >= 3}: test input {@code s[0..n-2]} / target {@code s[n-1]}; validation input
 * {@code s[0..n-3]} / target {@code s[n-2]}; training part {@code s[0..n-3]}. Users with fewer
 * than 3 items are skipped and counted.
 */
public final class LeaveOneOut {
    private static final Logger LOG = LoggerFactory.getLogger(LeaveOneOut.class);
    public static final int MIN_LENGTH = 3;

    /** Which held-out item a split evaluates. */
    public enum Part {
        VALID, TEST;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Dataset data;
    private final int[] users;
    private final int skipped;

    public LeaveOneOut(Dataset data) {
        this.data = data;
        int[] kept = new int[data.numUsers()];
        int n = 0;
        for (int u = 0; u < data.numUsers(); u++) {
            if (data.sequence(u).length >= MIN_LENGTH) {
                kept[n++] = u;
            }
        }
        this.users = Arrays.copyOf(kept, n);
        this.skipped = data.numUsers() - n;
        if (skipped > 0) {
            LOG.warn("{}: {} user(s) with fewer than {} items skipped (cannot be split)", data.name(), skipped, MIN_LENGTH);
        }
        if (n == 0) {
            throw new org.seqrec.util.SeqrecException(data.name() + ": no user has " + MIN_LENGTH
                    + " or more items; nothing to train or evaluate");
        }
    }

    public Dataset data() {
        return data;
    }

    /** Indices (into the dataset) of the users that take part, in dataset order. */
    public int[] users() {
        return users;
    }

    public int numUsers() {
        return users.length;
    }

    /** Users with fewer than 3 items, left out. */
    public int skippedUsers() {
        return skipped;
    }

    /** Length of the training part of user {@code u}: {@code n - 2}. */
    public int trainLength(int u) {
        return data.sequence(u).length - 2;
    }

    /** A copy of the training part {@code s[0..n-3]}. */
    public int[] train(int u) {
        int[] s = data.sequence(u);
        return Arrays.copyOf(s, s.length - 2);
    }

    /** Length of the input sequence of a split (the input is the prefix {@code s[0..len-1]}). */
    public int inputLength(int u, Part part) {
        int n = data.sequence(u).length;
        return part == Part.TEST ? n - 1 : n - 2;
    }

    public int target(int u, Part part) {
        int[] s = data.sequence(u);
        return part == Part.TEST ? s[s.length - 1] : s[s.length - 2];
    }

    /** A copy of the split's full (untruncated) input. */
    public int[] input(int u, Part part) {
        return Arrays.copyOf(data.sequence(u), inputLength(u, part));
    }
}
