package org.seqrec.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.data.Dataset;
import org.seqrec.data.FmlpReader;
import org.seqrec.data.SeqBin;
import org.seqrec.util.Json;

/**
 * Loading the same sequences from the FMLP text file and from the .seqbin directory, interleaved in one JVM
 * (after one warm-up of each): median seconds of each and their ratio. Args: TXT SEQBIN REPS OUT_PREFIX.
 * Run by bench/seqbin-read.sh.
 */
public final class SeqBinReadBenchmark {
    private SeqBinReadBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path txt = Path.of(args[0]);
        Path bin = Path.of(args[1]);
        int reps = Integer.parseInt(args[2]);
        String prefix = args[3];
        Dataset a = FmlpReader.read(txt);
        Dataset b = SeqBin.read(bin);
        if (!a.fingerprint().equals(b.fingerprint())) {
            throw new IllegalStateException("the two files hold different sequences");
        }
        List<Double> text = new ArrayList<>();
        List<Double> binary = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            FmlpReader.read(txt);
            long t1 = System.nanoTime();
            SeqBin.read(bin);
            long t2 = System.nanoTime();
            text.add((t1 - t0) / 1e9);
            binary.add((t2 - t1) / 1e9);
        }
        double mt = Medians.of(text);
        double mb = Medians.of(binary);
        String load = BenchResults.load1();
        var out = Json.object();
        out.put("users", a.numUsers());
        out.put("interactions", a.numInteractions());
        out.put("text_seconds_median", mt);
        out.put("seqbin_seconds_median", mb);
        out.put("ratio", mt / mb);
        out.put("reps", reps);
        out.put("load1_at_end", load);
        out.set("text_seconds", Json.MAPPER.valueToTree(text));
        out.set("seqbin_seconds", Json.MAPPER.valueToTree(binary));
        String md = String.format("Loading %d users / %d interactions (bench/seqbin-read.sh, one JVM, %d interleaved repetitions after a warm-up;"
                + " load %s): FMLP text %.3f s, .seqbin %.3f s (medians); the text takes %.1fx as long.%n", a.numUsers(), a.numInteractions(),
                reps, load, mt, mb, mt / mb);
        BenchResults.write(prefix, out, md);
    }

}
