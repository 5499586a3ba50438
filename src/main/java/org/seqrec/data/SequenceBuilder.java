package org.seqrec.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.seqrec.util.SeqrecException;

/**
 * Turns an interaction log into sequences (protocols.md section 1): optional rating threshold,
 * duplicate (user, item, timestamp) rows dropped (the first kept), each user's rows sorted by
 * timestamp (stable: ties keep file order), iterative k-core filtering of users and items until
 * stable, then dense ids: users numbered in order of first appearance in the log, items in order
 * of first appearance when the kept users' sequences are read in that order.
 */
public final class SequenceBuilder {
    private SequenceBuilder() {}

    /** What the conversion did, for the log and the CLI (counts in long: the Spark job builds one for logs past 2^31 rows). */
    public record Report(long rows, long belowMinRating, long duplicates, long usersBefore, long itemsBefore,
            int kcorePasses, long users, long items, long interactions) {
        @Override
        public String toString() {
            return String.format(
                    "%,d rows; %,d below min rating; %,d duplicate (user, item, timestamp) rows dropped; "
                            + "%,d users / %,d items before k-core; %d k-core pass(es); kept %,d users, %,d items, %,d interactions",
                    rows, belowMinRating, duplicates, usersBefore, itemsBefore, kcorePasses, users, items, interactions);
        }
    }

    /** A dataset with the report of how it was built. */
    public record Result(Dataset dataset, Report report) {}

    public static Result build(String name, InteractionLog log, int kcore, double minRating) {
        int nUsers = log.numUsers();
        int rows = log.rows();
        // rows of each user, in file order (counting sort by user code)
        int[] start = new int[nUsers + 1];
        int belowRating = 0;
        boolean[] keep = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            float rating = log.rating(r);
            if (!Double.isNaN(minRating) && !(rating >= minRating)) {
                belowRating++;
                continue;
            }
            keep[r] = true;
            start[log.user(r) + 1]++;
        }
        for (int u = 0; u < nUsers; u++) {
            start[u + 1] += start[u];
        }
        int[] byUser = new int[start[nUsers]];
        int[] fill = Arrays.copyOf(start, nUsers);
        for (int r = 0; r < rows; r++) {
            if (keep[r]) {
                byUser[fill[log.user(r)]++] = r;
            }
        }
        // per user: stable sort by time, drop duplicate (item, time)
        int duplicates = 0;
        int[][] seqRows = new int[nUsers][];
        for (int u = 0; u < nUsers; u++) {
            Integer[] rs = new Integer[start[u + 1] - start[u]];
            for (int i = 0; i < rs.length; i++) {
                rs[i] = byUser[start[u] + i];
            }
            Arrays.sort(rs, (a, b) -> {
                int c = Double.compare(log.time(a), log.time(b));
                return c != 0 ? c : Integer.compare(a, b);
            });
            int[] out = new int[rs.length];
            int n = 0;
            Set<Integer> sameTime = new HashSet<>();
            for (int i = 0; i < rs.length; i++) {
                if (i == 0 || log.time(rs[i]) != log.time(rs[i - 1])) {
                    sameTime.clear();
                }
                if (!sameTime.add(log.item(rs[i]))) {
                    duplicates++;
                    continue;
                }
                out[n++] = rs[i];
            }
            seqRows[u] = Arrays.copyOf(out, n);
        }
        int itemsBefore = countItems(log, seqRows);
        int usersBefore = 0;
        for (int[] s : seqRows) {
            if (s.length > 0) {
                usersBefore++;
            }
        }
        // iterative k-core
        boolean[] itemAlive = new boolean[log.numItems()];
        Arrays.fill(itemAlive, true);
        boolean[] userAlive = new boolean[nUsers];
        for (int u = 0; u < nUsers; u++) {
            userAlive[u] = seqRows[u].length > 0;
        }
        int passes = 0;
        if (kcore > 1) {
            boolean changed = true;
            while (changed) {
                passes++;
                changed = false;
                int[] itemCount = new int[log.numItems()];
                for (int u = 0; u < nUsers; u++) {
                    if (!userAlive[u]) {
                        continue;
                    }
                    int len = 0;
                    for (int r : seqRows[u]) {
                        if (itemAlive[log.item(r)]) {
                            len++;
                        }
                    }
                    if (len < kcore) {
                        userAlive[u] = false;
                        changed = true;
                        continue;
                    }
                    for (int r : seqRows[u]) {
                        if (itemAlive[log.item(r)]) {
                            itemCount[log.item(r)]++;
                        }
                    }
                }
                for (int i = 0; i < itemCount.length; i++) {
                    if (itemAlive[i] && itemCount[i] < kcore) {
                        itemAlive[i] = false;
                        changed = true;
                    }
                }
            }
        }
        // dense remap
        int[] itemId = new int[log.numItems()];
        List<String> itemOriginals = new ArrayList<>();
        List<String> userOriginals = new ArrayList<>();
        List<String> userIds = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        long interactions = 0;
        for (int u = 0; u < nUsers; u++) {
            if (!userAlive[u]) {
                continue;
            }
            int[] seq = new int[seqRows[u].length];
            int n = 0;
            for (int r : seqRows[u]) {
                int code = log.item(r);
                if (!itemAlive[code]) {
                    continue;
                }
                if (itemId[code] == 0) {
                    itemOriginals.add(log.itemName(code));
                    itemId[code] = itemOriginals.size();
                }
                seq[n++] = itemId[code];
            }
            userOriginals.add(log.userName(u));
            userIds.add(Integer.toString(userOriginals.size()));
            sequences.add(Arrays.copyOf(seq, n));
            interactions += n;
        }
        if (sequences.isEmpty()) {
            throw new SeqrecException("empty dataset: no user is left after " + kcore + "-core filtering of " + rows
                    + " rows (try a smaller --kcore)");
        }
        Dataset ds = new Dataset(name, userIds, sequences, itemOriginals.size(), new IdMap(itemOriginals),
                new IdMap(userOriginals));
        Report report = new Report(rows, belowRating, duplicates, usersBefore, itemsBefore, passes, userIds.size(),
                itemOriginals.size(), interactions);
        return new Result(ds, report);
    }

    private static int countItems(InteractionLog log, int[][] seqRows) {
        boolean[] seen = new boolean[log.numItems()];
        int n = 0;
        for (int[] rs : seqRows) {
            for (int r : rs) {
                if (!seen[log.item(r)]) {
                    seen[log.item(r)] = true;
                    n++;
                }
            }
        }
        return n;
    }
}
