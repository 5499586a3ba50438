package org.seqrec.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.seqrec.util.SeqrecException;

/**
 * Reads the FMLP sequence format: one line per user, {@code user_id item_id item_id ...},
 * whitespace separated, items oldest first, item ids positive integers. Blank lines are skipped.
 * If {@code NAME.item_map.tsv} (and {@code NAME.user_map.tsv}) lie beside the file, they are
 * loaded so results can be reported in original ids.
 */
public final class FmlpReader {
    private FmlpReader() {}

    public static Dataset read(Path file) {
        SeqrecException.requireReadable(file, "dataset file");
        List<String> users = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int maxItem = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                String[] tok = line.trim().split("\\s+");
                if (tok.length == 1 && tok[0].isEmpty()) {
                    continue;
                }
                String user = tok[0];
                if (!seen.add(user)) {
                    throw SeqrecException.atLine(file, no, "user '" + user + "' appears on more than one line");
                }
                int[] seq = new int[tok.length - 1];
                for (int i = 1; i < tok.length; i++) {
                    int item = parseItem(tok[i], file, no);
                    seq[i - 1] = item;
                    maxItem = Math.max(maxItem, item);
                }
                users.add(user);
                sequences.add(seq);
            }
        } catch (IOException e) {
            throw new SeqrecException("cannot read " + file + " (is it a UTF-8 text file?): " + e, e);
        }
        if (users.isEmpty()) {
            throw new SeqrecException(file + ": empty dataset (no user sequences)");
        }
        IdMap itemMap = null;
        Path itemMapFile = Dataset.itemMapPath(file);
        if (Dataset.exists(itemMapFile)) {
            itemMap = IdMap.read(itemMapFile);
            if (itemMap.size() < maxItem) {
                throw new SeqrecException(itemMapFile + ": maps " + itemMap.size() + " items but " + file
                        + " uses item id " + maxItem);
            }
        }
        IdMap userMap = null;
        Path userMapFile = Dataset.userMapPath(file);
        if (Dataset.exists(userMapFile)) {
            userMap = IdMap.read(userMapFile);
        }
        int numItems = itemMap != null ? itemMap.size() : maxItem;
        return new Dataset(datasetName(file), users, sequences, numItems, itemMap, userMap);
    }

    private static int parseItem(String token, Path file, long line) {
        int item;
        try {
            item = Integer.parseInt(token);
        } catch (NumberFormatException e) {
            if (token.matches("[+-]?\\d+")) {
                throw SeqrecException.atLine(file, line, "item id " + token + " is out of range: FMLP files hold dense ids"
                        + " 1.." + Integer.MAX_VALUE + " (for other ids read the interaction log with --format csv)");
            }
            throw SeqrecException.atLine(file, line, "item id '" + token + "' is not an integer");
        }
        if (item < 1) {
            throw SeqrecException.atLine(file, line, "item id " + item + " is not positive (0 is reserved for padding)");
        }
        return item;
    }

    /** {@code path/to/Beauty.txt -> Beauty}. */
    public static String datasetName(Path file) {
        String base = file.getFileName().toString();
        int dot = base.lastIndexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }
}
