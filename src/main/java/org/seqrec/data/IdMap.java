package org.seqrec.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.SeqrecException;

/**
 * A dense-id to original-id mapping (items or users). Dense ids run {@code 1..size()};
 * the file form is one {@code dense<TAB>original} line per id, in dense order.
 */
public final class IdMap {
    private final List<String> originals; // index i holds the original id of dense id i + 1
    private final Map<String, Integer> dense;

    public IdMap(List<String> originals) {
        this.originals = List.copyOf(originals);
        this.dense = new HashMap<>(originals.size() * 2);
        for (int i = 0; i < originals.size(); i++) {
            if (dense.put(originals.get(i), i + 1) != null) {
                throw new IllegalArgumentException("duplicate original id " + originals.get(i));
            }
        }
    }

    /** The identity map {@code 1..n -> "1".."n"} used for data that is already dense. */
    public static IdMap identity(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            ids.add(Integer.toString(i));
        }
        return new IdMap(ids);
    }

    public int size() {
        return originals.size();
    }

    /** The original id of dense id {@code id} (1-based). */
    public String original(int id) {
        if (id < 1 || id > originals.size()) {
            throw new IndexOutOfBoundsException("dense id " + id + " outside 1.." + originals.size());
        }
        return originals.get(id - 1);
    }

    /** The dense id of an original id, if it is known. */
    public Optional<Integer> dense(String original) {
        return Optional.ofNullable(dense.get(original));
    }

    public void write(Path file) {
        AtomicFiles.writeText(file, w -> {
            for (int i = 0; i < originals.size(); i++) {
                w.write(Integer.toString(i + 1));
                w.write('\t');
                w.write(originals.get(i));
                w.write('\n');
            }
        });
    }

    public static IdMap read(Path file) {
        SeqrecException.requireReadable(file, "id map");
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Reads a map written by {@link #write} from any reader (the Spark jobs read maps on a Hadoop file
     * system): one {@code dense<TAB>original} line per id, dense ids 1, 2, ... in order, blank lines
     * skipped; errors name {@code source} and the line.
     */
    public static IdMap read(BufferedReader r, String source) throws IOException {
        List<String> ids = new ArrayList<>();
        String line;
        long no = 0;
        while ((line = r.readLine()) != null) {
            no++;
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw atLine(source, no, "expected 'dense<TAB>original', got '" + line + "'");
            }
            int id;
            try {
                id = Integer.parseInt(line.substring(0, tab));
            } catch (NumberFormatException e) {
                throw atLine(source, no, "dense id '" + line.substring(0, tab) + "' is not an integer");
            }
            if (id != ids.size() + 1) {
                throw atLine(source, no, "expected dense id " + (ids.size() + 1) + ", got " + id);
            }
            ids.add(line.substring(tab + 1));
        }
        try {
            return new IdMap(ids);
        } catch (IllegalArgumentException e) {
            throw new SeqrecException(source + ": " + e.getMessage());
        }
    }

    private static SeqrecException atLine(String source, long line, String message) {
        return new SeqrecException(source + ":" + line + ": " + message);
    }
}
