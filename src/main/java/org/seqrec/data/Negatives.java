package org.seqrec.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Hashing;
import org.seqrec.util.SeqrecException;

/**
 * Fixed negative items for the sampled protocols (protocols.md section 4): for every user, a list
 * of items drawn uniformly without replacement from the items the user never interacted with
 * (whole sequence). Two forms with the same contents: <b>derived</b> ({@link #derived}: user
 * {@code u}'s list is drawn again from {@code (seed, u)} whenever it is asked for, so nothing is
 * held or read per user; what runs use by default) and <b>stored</b> ({@link #read}: a file in
 * FMLP's {@code *_sample.txt} layout, {@code user neg1 ... negN} per line, such as the FMLP-Rec
 * authors' own). {@link #write} exports either form; a derived set written out and read back is the
 * same set.
 */
public final class Negatives {
    private final int[][] byUser; // stored form: aligned with dataset user indices; null when derived
    private final Dataset data; // derived form
    private final long seed;
    private final int count;

    private Negatives(int[][] byUser, Dataset data, long seed, int count) {
        this.byUser = byUser;
        this.data = data;
        this.seed = seed;
        this.count = count;
    }

    /** Number of negatives per user. */
    public int count() {
        return count;
    }

    /** Whether the lists are drawn from a seed on demand ({@link #derived}) rather than read from a file. */
    public boolean isDerived() {
        return byUser == null;
    }

    /** The seed of a derived set. */
    public long seed() {
        if (byUser != null) {
            throw new IllegalStateException("negatives read from a file have no seed");
        }
        return seed;
    }

    /** The negatives of dataset user index {@code u}; do not modify. Thread-safe. */
    public int[] of(int u) {
        if (byUser == null) {
            return draw(data, u, count, seed);
        }
        int[] n = byUser[u];
        if (n == null) {
            throw new IllegalStateException("no negatives for user index " + u);
        }
        return n;
    }

    /**
     * The negatives of every user of {@code data}, {@code count} each, derived from {@code seed} on
     * demand: user {@code u} draws items {@code 1 + nextInt(numItems)} from its own {@link SplitMix64}
     * stream {@code (seed, u)}, skipping items of its whole sequence and items already drawn, so the
     * lists are the same on any machine and cost no memory per user. Refused up front when a user
     * has interacted with so many items that fewer than {@code count} remain.
     */
    public static Negatives derived(Dataset data, int count, long seed) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        int n = data.numItems();
        int[] mark = new int[n + 1]; // mark[item] == u + 1: seen by user u
        for (int u = 0; u < data.numUsers(); u++) {
            int distinct = 0;
            for (int item : data.sequence(u)) {
                if (mark[item] != u + 1) {
                    mark[item] = u + 1;
                    distinct++;
                }
            }
            if (n - distinct < count) {
                throw new SeqrecException(data.name() + ": user " + data.userId(u) + " has interacted with " + distinct
                        + " of " + n + " items, leaving fewer than " + count + " negatives to draw");
            }
        }
        return new Negatives(null, data, seed, count);
    }

    /** User {@code u}'s list: rejection from its own stream against its distinct items (sorted) and the items drawn so far. */
    private static int[] draw(Dataset data, int u, int count, long seed) {
        int[] seen = data.sequence(u).clone();
        java.util.Arrays.sort(seen);
        int n = data.numItems();
        // open addressing over the drawn items: a power of two between 2x and 4x their count (count <= numItems < 2^31)
        int[] drawn = new int[(int) Long.highestOneBit(Math.max(4L, count) * 4)];
        int mask = drawn.length - 1;
        SplitMix64 rng = SplitMix64.forStream(seed, u);
        int[] negs = new int[count];
        for (int j = 0; j < count; ) {
            int item = 1 + rng.nextInt(n);
            if (java.util.Arrays.binarySearch(seen, item) >= 0) {
                continue;
            }
            int h = (item * 0x9E3779B1) >>> 7 & mask;
            while (drawn[h] != 0 && drawn[h] != item) {
                h = (h + 1) & mask;
            }
            if (drawn[h] == 0) {
                drawn[h] = item;
                negs[j++] = item;
            }
        }
        return negs;
    }

    /** Writes the FMLP sample layout, atomically (every user of a derived set; the users a file had). */
    public void write(Path file, Dataset data) {
        AtomicFiles.writeText(file, w -> writeTo(w, data));
    }

    /** The SHA-256 of what {@link #write} would write, without writing it. */
    public String sha256(Dataset data) {
        java.security.MessageDigest digest = Hashing.sha256();
        try (java.io.Writer w = new java.io.OutputStreamWriter(
                new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), digest), StandardCharsets.UTF_8)) {
            writeTo(w, data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Hashing.hex(digest);
    }

    private void writeTo(java.io.Writer w, Dataset data) throws IOException {
        StringBuilder sb = new StringBuilder();
        int users = byUser != null ? byUser.length : data.numUsers();
        for (int u = 0; u < users; u++) {
            if (byUser != null && byUser[u] == null) {
                continue;
            }
            sb.setLength(0);
            sb.append(data.userId(u));
            for (int item : of(u)) {
                sb.append(' ').append(item);
            }
            sb.append('\n');
            w.write(sb.toString());
        }
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
        return new Negatives(byUser, null, 0, expectedCount);
    }
}
