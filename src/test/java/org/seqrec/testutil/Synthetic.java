package org.seqrec.testutil;

import java.util.ArrayList;
import java.util.List;
import org.seqrec.data.Dataset;
import org.seqrec.data.SplitMix64;

/** Synthetic sequences with a known pattern. */
public final class Synthetic {
    private Synthetic() {}

    /**
     * Each user repeats a cycle of {@code period} distinct random items: {@code a b c d a b c d ...}.
     * The next item is the one {@code period} steps back. The set of items and the last item leave
     * {@code period - 1} equally likely candidates; only the <em>order</em> of the history identifies
     * the next item, so an order-aware model reaches MRR near 1 and an order-blind one stays near
     * {@code mean(1/r, r = 1..period-1)} (about 0.46 for period 6).
     */
    public static Dataset repeatedCycles(int users, int items, int period, int minLen, int maxLen, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        List<String> ids = new ArrayList<>();
        List<int[]> seqs = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int[] cycle = new int[period];
            for (int i = 0; i < period; i++) {
                boolean fresh;
                do {
                    cycle[i] = 1 + rng.nextInt(items);
                    fresh = true;
                    for (int j = 0; j < i; j++) {
                        fresh &= cycle[j] != cycle[i];
                    }
                } while (!fresh);
            }
            int[] s = new int[minLen + rng.nextInt(maxLen - minLen + 1)];
            for (int t = 0; t < s.length; t++) {
                s[t] = cycle[t % period];
            }
            ids.add(Integer.toString(u + 1));
            seqs.add(s);
        }
        return new Dataset("cycles", ids, seqs, items, null, null);
    }

    /** Users with uniformly random items, lengths uniform in {@code minLen..maxLen}. */
    public static Dataset random(int users, int items, int minLen, int maxLen, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        List<String> ids = new ArrayList<>();
        List<int[]> seqs = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int[] s = new int[minLen + rng.nextInt(maxLen - minLen + 1)];
            for (int i = 0; i < s.length; i++) {
                s[i] = 1 + rng.nextInt(items);
            }
            ids.add(Integer.toString(u + 1));
            seqs.add(s);
        }
        return new Dataset("random", ids, seqs, items, null, null);
    }
}
