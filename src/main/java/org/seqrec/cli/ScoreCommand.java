package org.seqrec.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.seqrec.Recommender;
import org.seqrec.data.Dataset;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqrec score}: top-k for every user of a data file, streamed to CSV. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Write the top-k next items of every user in a data file (their whole history), in original ids, as CSV"
                + " (user,rank,item,score), streaming in batches.")
final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
    Path run;

    @Mixin DataOptions data;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "Items per user. Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "CSV file to write.")
    Path out;

    @Option(names = "--include-seen", description = "Allow items of the user's history (excluded by default).")
    boolean includeSeen;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "256", description = "Users per forward pass. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--threads", paramLabel = "N", description = "Engine (PyTorch intra-op) threads; default: all cores.")
    Integer threads;

    @Option(names = "--shard", paramLabel = "I", description = "Score only shard I (0-based) of a .seqbin --data: one task of a job"
            + " array, each machine a shard; the shards' CSVs concatenated (headers dropped) are the whole file's.")
    Integer shard;

    private void write(Recommender r, Dataset d, CSVPrinter csv, ProgressBar bar) throws IOException {
        for (int from = 0; from < d.numUsers(); from += batch) {
            int to = Math.min(d.numUsers(), from + batch);
            List<Recommender.Query> queries = new ArrayList<>(to - from);
            for (int u = from; u < to; u++) {
                int[] seq = d.sequence(u);
                List<String> history = new ArrayList<>(seq.length);
                for (int item : seq) {
                    history.add(d.itemMap().original(item));
                }
                queries.add(new Recommender.Query(history, k, !includeSeen, d.originalUserId(u))); // excluded unless asked: Recommender.EXCLUDE_SEEN_BY_DEFAULT
            }
            List<Recommender.Result> results = r.recommendAll(queries);
            for (int u = from; u < to; u++) {
                List<Recommender.Item> items = results.get(u - from).items();
                for (int i = 0; i < items.size(); i++) {
                    csv.printRecord(d.originalUserId(u), i + 1, items.get(i).id(), items.get(i).score());
                }
            }
            bar.stepTo(to);
        }
    }

    @Override
    public Integer call() throws IOException {
        if (batch < 1) {
            throw new SeqrecException("--batch must be positive");
        }
        EvalOptions.applyThreads(threads);
        if (!spec.commandLine().getParseResult().hasMatchedOption("--kcore")) {
            data.kcore = 1; // every user of the file is scored: a k-core filter would drop some without a word
        }
        Dataset d;
        if (shard != null) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--kcore")) {
                throw new SeqrecException("--shard scores a shard's users as they are; --kcore would filter each shard on its own");
            }
            if (!org.seqrec.data.SeqBin.isSeqBin(data.data)) {
                throw new SeqrecException("--shard needs a .seqbin directory as --data (seqrec data convert --out NAME.seqbin writes one)");
            }
            d = org.seqrec.data.SeqBin.readShard(data.data, shard);
        } else {
            d = data.source().load();
        }
        long t0 = System.nanoTime();
        try (Recommender r = Recommender.load(run)) {
            if (k < 1 || k > r.numItems()) {
                throw new SeqrecException("--k must be in 1.." + r.numItems() + " (the number of items), got " + k);
            }
            // the CSV appears whole under its name or not at all: a failed or killed run leaves any earlier file as it was
            AtomicFiles.writeText(out, w -> {
                CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader("user", "rank", "item", "score").build());
                try (ProgressBar bar = Progress.bar("score", d.numUsers(), "users")) {
                    write(r, d, csv, bar);
                }
                csv.flush(); // not closed here: AtomicFiles flushes and closes the stream, then renames
            });
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("scored %d users in %.1f s (%.0f users/s) -> %s%n", d.numUsers(), seconds, d.numUsers() / seconds, out);
        return 0;
    }
}
