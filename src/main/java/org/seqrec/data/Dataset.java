package org.seqrec.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Hashing;

/**
 * Users' chronologically ordered item sequences with dense item ids {@code 1..numItems()}
 * (0 is padding). Immutable. The user ids are the ones written in the FMLP file (usually dense
 * too); {@link #itemMap()} turns item ids back into the ids of the original log.
 */
public final class Dataset {
    private final String name;
    private final String[] userIds;
    private final int[][] sequences;
    private final int numItems;
    private final IdMap itemMap;
    private final IdMap userMap;
    private String fingerprint;

    /**
     * @param numItems the size of the item vocabulary; at least the largest id used
     * @param itemMap dense item id to original id, or null for the identity
     * @param userMap dense user id to original id, or null when user ids are already original
     */
    public Dataset(String name, List<String> userIds, List<int[]> sequences, int numItems, IdMap itemMap, IdMap userMap) {
        if (userIds.size() != sequences.size()) {
            throw new IllegalArgumentException(userIds.size() + " user ids for " + sequences.size() + " sequences");
        }
        this.name = name;
        this.userIds = userIds.toArray(new String[0]);
        this.sequences = sequences.toArray(new int[0][]);
        int max = 0;
        for (int[] s : this.sequences) {
            for (int item : s) {
                if (item < 1) {
                    throw new IllegalArgumentException("item id " + item + " < 1 (0 is padding)");
                }
                max = Math.max(max, item);
            }
        }
        if (numItems < max) {
            throw new IllegalArgumentException("numItems " + numItems + " < largest item id " + max);
        }
        this.numItems = numItems;
        this.itemMap = itemMap != null ? itemMap : IdMap.identity(numItems);
        if (this.itemMap.size() != numItems) {
            throw new IllegalArgumentException("item map has " + this.itemMap.size() + " ids for " + numItems + " items");
        }
        this.userMap = userMap;
    }

    /** A dataset whose largest item id is its vocabulary size and whose ids are original. */
    public static Dataset of(String name, List<String> userIds, List<int[]> sequences) {
        int max = sequences.stream().flatMapToInt(Arrays::stream).max().orElse(0);
        return new Dataset(name, userIds, sequences, max, null, null);
    }

    public String name() {
        return name;
    }

    public int numUsers() {
        return sequences.length;
    }

    public int numItems() {
        return numItems;
    }

    /** The user id written in the data file for user index {@code u} (0-based). */
    public String userId(int u) {
        return userIds[u];
    }

    /** The user's id in the original log (the dense id when there is no user map). */
    public String originalUserId(int u) {
        if (userMap == null) {
            return userIds[u];
        }
        try {
            return userMap.original(Integer.parseInt(userIds[u]));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return userIds[u];
        }
    }

    /** The item sequence of user index {@code u}; do not modify. */
    public int[] sequence(int u) {
        return sequences[u];
    }

    public IdMap itemMap() {
        return itemMap;
    }

    public IdMap userMap() {
        return userMap;
    }

    public long numInteractions() {
        long n = 0;
        for (int[] s : sequences) {
            n += s.length;
        }
        return n;
    }

    /**
     * SHA-256 of the dataset in canonical FMLP form ({@code user item item ...\n} per user).
     * For a canonical FMLP file it equals the file's own sha256.
     */
    public synchronized String fingerprint() {
        if (fingerprint == null) {
            MessageDigest d = Hashing.sha256();
            StringBuilder sb = new StringBuilder();
            for (int u = 0; u < sequences.length; u++) {
                sb.setLength(0);
                appendLine(sb, u);
                d.update(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
            fingerprint = Hashing.hex(d);
        }
        return fingerprint;
    }

    private void appendLine(StringBuilder sb, int u) {
        sb.append(userIds[u]);
        for (int item : sequences[u]) {
            sb.append(' ').append(item);
        }
        sb.append('\n');
    }

    /** Writes the FMLP text form, atomically. */
    public void writeFmlp(Path file) {
        AtomicFiles.writeText(file, w -> writeFmlp(w));
    }

    private void writeFmlp(BufferedWriter w) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int u = 0; u < sequences.length; u++) {
            sb.setLength(0);
            appendLine(sb, u);
            w.write(sb.toString());
        }
    }

    /** The paths of the id maps saved beside an FMLP file: {@code NAME.item_map.tsv}, {@code NAME.user_map.tsv}. */
    public static Path itemMapPath(Path fmlpFile) {
        return sibling(fmlpFile, ".item_map.tsv");
    }

    public static Path userMapPath(Path fmlpFile) {
        return sibling(fmlpFile, ".user_map.tsv");
    }

    private static Path sibling(Path file, String suffix) {
        String base = file.getFileName().toString();
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        Path parent = file.toAbsolutePath().getParent();
        return parent.resolve(base + suffix);
    }

    /** Writes the FMLP file and, beside it, the item and user id maps. */
    public void save(Path fmlpFile) {
        writeFmlp(fmlpFile);
        itemMap.write(itemMapPath(fmlpFile));
        if (userMap != null) {
            userMap.write(userMapPath(fmlpFile));
        }
    }

    /** True when the file exists: small helper for loaders. */
    static boolean exists(Path p) {
        return Files.isRegularFile(p);
    }
}
