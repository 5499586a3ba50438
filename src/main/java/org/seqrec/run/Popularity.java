package org.seqrec.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.util.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training-set item popularity of a run: how often each dense item id occurs in the training parts
 * of the leave-one-out split. Saved with every run ({@code popularity.tsv}); for runs saved before
 * that, counted from the run's data source when it is still there.
 */
public final class Popularity {
    private static final Logger LOG = LoggerFactory.getLogger(Popularity.class);

    private Popularity() {}

    /** Counts indexed by dense id ({@code [n + 1]}, entry 0 unused). */
    public static int[] count(LeaveOneOut split) {
        int[] counts = new int[split.data().numItems() + 1];
        for (int u : split.users()) {
            for (int item : split.train(u)) {
                counts[item]++;
            }
        }
        return counts;
    }

    /** Writes {@code dense id <TAB> count} lines, ids 1..n. */
    public static void write(Path file, int[] counts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < counts.length; i++) {
            sb.append(i).append('\t').append(counts[i]).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** The run's counts: its {@code popularity.tsv}, else counted from its data; all zero (id order) when neither exists. */
    public static int[] of(RunDir run, RunConfig config, int n) {
        Path file = run.popularity();
        int[] counts = new int[n + 1];
        try {
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.split("\t");
                    if (f.length == 2) {
                        counts[Integer.parseInt(f[0])] = Integer.parseInt(f[1]);
                    }
                }
                return counts;
            }
            if (config.data() != null && Files.isRegularFile(Path.of(config.data().path()))) {
                Dataset data = config.data().load();
                if (data.numItems() == n) {
                    return count(new LeaveOneOut(data));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read the item popularity of {}: {}", run.dir(), e.getMessage());
        }
        LOG.warn("{} has no {} and its data is not available: the popularity fallback ranks items by id", run.dir(), run.popularity().getFileName());
        return counts;
    }

    /** Dense ids 1..n by decreasing count, ties by increasing id. */
    public static int[] order(int[] counts) {
        return IntStream.range(1, counts.length).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -counts[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }
}
