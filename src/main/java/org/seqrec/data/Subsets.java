package org.seqrec.data;

/** Reproducible smaller datasets, e.g. the bundled quickstart data. */
public final class Subsets {
    private Subsets() {}

    /**
     * The first {@code users} users of {@code data}, run again through the sequence pipeline
     * (k-core, dense ids in order of first appearance). Item ids of the result are new.
     */
    public static SequenceBuilder.Result firstUsers(Dataset data, int users, int kcore) {
        InteractionLog log = new InteractionLog();
        int n = Math.min(users, data.numUsers());
        for (int u = 0; u < n; u++) {
            int[] s = data.sequence(u);
            for (int i = 0; i < s.length; i++) {
                log.add(data.userId(u), Integer.toString(s[i]), i, Float.NaN);
            }
        }
        return SequenceBuilder.build(data.name() + "-" + n, log, kcore, Double.NaN);
    }
}
