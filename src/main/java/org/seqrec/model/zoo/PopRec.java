package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.model.FittedSpec;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.RecModel;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.SeqrecException;

/**
 * PopRec: an item's score is its interaction count in the training part of the split
 * (validation and test items never count). The same ranking for every user.
 *
 * <p>Parameter {@code scope} ({@code --param scope=...}) chooses what is counted: {@code train}
 * (default, protocols.md), or, only to reproduce published figures that leak held-out items,
 * {@code train-valid} ({@code s[0..n-2]}) or {@code all} (the whole sequence, test item included).
 */
public final class PopRec implements RecModel {
    static final String FILE = "popularity.txt";
    private final long[] counts; // index = item id, [0] unused
    private final float[] scores;

    public PopRec(long[] counts) {
        this.counts = counts;
        this.scores = new float[counts.length];
        for (int i = 0; i < counts.length; i++) {
            scores[i] = counts[i];
        }
    }

    /** Counts items over the training parts {@code s[0..n-3]} of the split's users. */
    public static PopRec fit(LeaveOneOut split) {
        return fit(split, "train");
    }

    /** Counts items over the part of each sequence that {@code scope} names (see the class comment). */
    public static PopRec fit(LeaveOneOut split, String scope) {
        int held;
        switch (scope) {
            case "train":
                held = 2;
                break;
            case "train-valid":
                held = 1;
                break;
            case "all":
                held = 0;
                break;
            default:
                throw new SeqrecException("pop: unknown scope '" + scope + "' (train, train-valid, all)");
        }
        long[] counts = new long[split.data().numItems() + 1];
        for (int u : split.users()) {
            int[] s = split.data().sequence(u);
            for (int i = 0; i < s.length - held; i++) {
                counts[s[i]]++;
            }
        }
        return new PopRec(counts);
    }

    public long count(int item) {
        return counts[item];
    }

    @Override
    public String name() {
        return "pop";
    }

    @Override
    public int maxLen() {
        return 0;
    }

    @Override
    public int numItems() {
        return counts.length - 1;
    }

    @Override
    public NDArray scoreAll(HistoryBatch batch, NDManager manager) {
        return manager.create(scores, new Shape(1, scores.length)).repeat(0, batch.size());
    }

    @Override
    public void save(Path dir) {
        AtomicFiles.writeText(dir.resolve(FILE), w -> {
            for (int i = 1; i < counts.length; i++) {
                w.write(Long.toString(counts[i]));
                w.write('\n');
            }
        });
    }

    static PopRec read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw SeqrecException.missingFile(file, "PopRec weights");
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            java.util.List<Long> values = new java.util.ArrayList<>();
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                try {
                    values.add(Long.parseLong(line.trim()));
                } catch (NumberFormatException e) {
                    throw SeqrecException.atLine(file, no, "count '" + line + "' is not an integer");
                }
            }
            long[] counts = new long[values.size() + 1];
            for (int i = 0; i < values.size(); i++) {
                counts[i + 1] = values.get(i);
            }
            return new PopRec(counts);
        } catch (IOException e) {
            throw new SeqrecException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Registry entry. */
    public static final class Spec implements FittedSpec {
        @Override
        public String name() {
            return "pop";
        }

        @Override
        public String description() {
            return "PopRec: items ranked by their interaction count in the training part";
        }

        @Override
        public java.util.Map<String, Object> defaults() {
            return java.util.Map.of("scope", "train");
        }

        @Override
        public RecModel fit(LeaveOneOut split, java.util.Map<String, Object> params) {
            return PopRec.fit(split, String.valueOf(params.getOrDefault("scope", "train")));
        }

        @Override
        public RecModel load(Path modelDir, int numItems, java.util.Map<String, Object> params, NDManager manager) {
            return read(modelDir);
        }
    }
}
