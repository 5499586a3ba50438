package org.seqrec.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

/**
 * Fixed negative items for the sampled protocols (protocols.md section 4): for every user, a list
 * of items drawn uniformly without replacement from the items the user never interacted with
 * (whole sequence). File layout is FMLP's {@code *_sample.txt}: {@code user neg1 ... negN} per line.
 */
public final class Negatives {
    private final int[][] byUser; // aligned with dataset user indices
    private final int count;

    private Negatives(int[][] byUser, int count) {
        this.byUser = byUser;
        this.count = count;
    }

    /** Number of negatives per user. */
    public int count() {
        return count;
    }

    /** The negatives of dataset user index {@code u}; do not modify. */
    public int[] of(int u) {
        int[] n = byUser[u];
        if (n == null) {
            throw new IllegalStateException("no negatives for user index " + u);
        }
        return n;
    }

    /**
     * Draws {@code count} negatives for every user of {@code data}. Deterministic in {@code seed}:
     * user {@code u} uses its own {@link SplitMix64} stream, so the file is the same on any machine.
     */
    public static Negatives sample(Dataset data, int count, long seed) {
        int n = data.numItems();
        int[][] out = new int[data.numUsers()][];
        int[] mark = new int[n + 1]; // mark[item] == u + 1: excluded for user u
        try (ProgressBar bar = Progress.bar("sample negatives", data.numUsers(), "users")) {
            for (int u = 0; u < data.numUsers(); u++) {
                int stamp = u + 1;
                int[] seq = data.sequence(u);
                int distinct = 0;
                for (int item : seq) {
                    if (mark[item] != stamp) {
                        mark[item] = stamp;
                        distinct++;
                    }
                }
                if (n - distinct < count) {
                    throw new SeqrecException(data.name() + ": user " + data.userId(u) + " has interacted with " + distinct
                            + " of " + n + " items, leaving fewer than " + count + " negatives to draw");
                }
                SplitMix64 rng = SplitMix64.forStream(seed, u);
                int[] negs = new int[count];
                for (int j = 0; j < count; ) {
                    int item = 1 + rng.nextInt(n);
                    if (mark[item] != stamp) {
                        mark[item] = stamp;
                        negs[j++] = item;
                    }
                }
                out[u] = negs;
                bar.step();
            }
        }
        return new Negatives(out, count);
    }

    /** Writes the FMLP sample layout, atomically. */
    public void write(Path file, Dataset data) {
        AtomicFiles.writeText(file, w -> {
            StringBuilder sb = new StringBuilder();
            for (int u = 0; u < byUser.length; u++) {
                if (byUser[u] == null) {
                    continue;
                }
                sb.setLength(0);
                sb.append(data.userId(u));
                for (int item : byUser[u]) {
                    sb.append(' ').append(item);
                }
                sb.append('\n');
                w.write(sb.toString());
            }
        });
    }

    /**
     * Reads a negatives file and checks it against the dataset: every user known, every id an
     * item in {@code 1..numItems}, never one the user interacted with, no repeats, exactly
     * {@code expectedCount} per line, and a line for every user of {@code split}.
     */
    public static Negatives read(Path file, LeaveOneOut split, int expectedCount) {
        Dataset data = split.data();
        SeqrecException.requireReadable(file, "negatives file");
        Map<String, Integer> userIndex = new HashMap<>(data.numUsers() * 2);
        for (int u = 0; u < data.numUsers(); u++) {
            userIndex.put(data.userId(u), u);
        }
        int[][] byUser = new int[data.numUsers()][];
        int[] mark = new int[data.numItems() + 1];
        String mismatch = " (does this negatives file belong to " + data.name() + "?)";
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                String[] tok = line.trim().split("\\s+");
                if (tok.length == 1 && tok[0].isEmpty()) {
                    continue;
                }
                Integer u = userIndex.get(tok[0]);
                if (u == null) {
                    throw SeqrecException.atLine(file, no, "user '" + tok[0] + "' is not in the dataset" + mismatch);
                }
                if (byUser[u] != null) {
                    throw SeqrecException.atLine(file, no, "user '" + tok[0] + "' appears twice");
                }
                if (tok.length - 1 != expectedCount) {
                    throw SeqrecException.atLine(file, no, "expected " + expectedCount + " negatives, found "
                            + (tok.length - 1) + (tok.length - 1 == 100 ? " (a uni100 file? use --protocol uni100)"
                                    : tok.length - 1 == 99 ? " (a 1-vs-99 file? use --protocol sampled)" : ""));
                }
                int stamp = u + 1;
                for (int item : data.sequence(u)) {
                    mark[item] = stamp;
                }
                int[] negs = new int[expectedCount];
                for (int j = 0; j < expectedCount; j++) {
                    String t = tok[j + 1];
                    int item;
                    try {
                        item = Integer.parseInt(t);
                    } catch (NumberFormatException e) {
                        throw SeqrecException.atLine(file, no, "negative '" + t + "' is not an integer");
                    }
                    if (item < 1 || item > data.numItems()) {
                        throw SeqrecException.atLine(file, no, "negative " + item + " is not an item id in 1.."
                                + data.numItems() + mismatch);
                    }
                    if (mark[item] == stamp) {
                        throw SeqrecException.atLine(file, no, "negative " + item + " of user " + tok[0]
                                + " is an item the user interacted with, or repeats" + mismatch);
                    }
                    mark[item] = stamp;
                    negs[j] = item;
                }
                byUser[u] = negs;
            }
        } catch (IOException e) {
            throw new SeqrecException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int missing = 0;
        String first = null;
        for (int u : split.users()) {
            if (byUser[u] == null) {
                missing++;
                if (first == null) {
                    first = data.userId(u);
                }
            }
        }
        if (missing > 0) {
            throw new SeqrecException(file + ": no negatives for " + missing + " user(s) of " + data.name()
                    + ", the first being user '" + first + "'" + mismatch);
        }
        return new Negatives(byUser, expectedCount);
    }
}
