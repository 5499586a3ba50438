package org.seqrec.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.data.Dataset;
import org.seqrec.data.DataSource;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.Negatives;
import org.seqrec.util.Json;

/**
 * What the sampled protocol's negatives cost at scale, in one JVM, interleaved after a warm-up: deriving them
 * (the feasibility pass, then every user's list drawn once: what one sampled evaluation pass asks for) against
 * reading the same lists from their exported file (FMLP's {@code *_sample.txt}, as runs did before), with the
 * export's size and the heap the read lists hold. Args: DATA REPS OUT_PREFIX. Run by bench/negatives.sh.
 */
public final class NegativesBenchmark {
    private NegativesBenchmark() {}

    public static void main(String[] args) throws IOException {
        Dataset data = DataSource.fmlp(Path.of(args[0])).load();
        int reps = Integer.parseInt(args[1]);
        String prefix = args[2];
        LeaveOneOut split = new LeaveOneOut(data);
        Path file = Files.createTempFile("negatives", ".txt");
        try {
            Negatives.derived(data, 99, 42).write(file, data);
            List<Double> derive = new ArrayList<>();
            List<Double> read = new ArrayList<>();
            long checksum = 0;
            for (int r = 0; r <= reps; r++) {
                long t0 = System.nanoTime();
                Negatives d = Negatives.derived(data, 99, 42);
                for (int u = 0; u < data.numUsers(); u++) {
                    checksum += d.of(u)[98];
                }
                long t1 = System.nanoTime();
                Negatives f = Negatives.read(file, split, 99);
                for (int u = 0; u < data.numUsers(); u++) {
                    checksum -= f.of(u)[98];
                }
                long t2 = System.nanoTime();
                if (r > 0) { // the first round warms up
                    derive.add((t1 - t0) / 1e9);
                    read.add((t2 - t1) / 1e9);
                }
            }
            if (checksum != 0) {
                throw new IllegalStateException("derived lists differ from their export");
            }
            double md = Medians.of(derive);
            double mr = Medians.of(read);
            long bytes = Files.size(file);
            long held = 16L * data.numUsers() + (16L + 4 * 99) * data.numUsers(); // int[][]: a reference and a 99-int array per user
            String load = BenchResults.load1();
            var out = Json.object();
            out.put("data", args[0]);
            out.put("users", data.numUsers());
            out.put("items", data.numItems());
            out.put("derive_all_seconds_median", md);
            out.put("read_file_seconds_median", mr);
            out.put("ratio", mr / md);
            out.put("file_bytes", bytes);
            out.put("read_lists_heap_bytes_estimate", held);
            out.put("reps", reps);
            out.put("load1_at_end", load);
            out.set("derive_all_seconds", Json.MAPPER.valueToTree(derive));
            out.set("read_file_seconds", Json.MAPPER.valueToTree(read));
            String text = String.format("Negatives of the sampled protocol for %d users / %d items (`bench/negatives.sh`, one JVM, %d interleaved"
                    + " repetitions after a warm-up; load %s at the end): deriving every user's 99 from (seed, user) %.2f s, reading the"
                    + " same lists from their %.0f MB export %.2f s (medians; %.1fx), and the read lists then hold about %.0f MB of heap,"
                    + " where derived ones hold none.%n", data.numUsers(), data.numItems(), reps, load, md, bytes / 1e6, mr, mr / md, held / 1e6);
            BenchResults.write(prefix, out, text);
        } finally {
            Files.deleteIfExists(file);
        }
    }

}
