package org.seqrec.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.DatasetStats;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.Negatives;
import org.seqrec.data.RowErrors;
import org.seqrec.data.SeqBin;
import org.seqrec.data.SequenceBuilder;
import org.seqrec.data.Subsets;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqrec data ...}: dataset tools. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Dataset tools: stats, convert, sample, subset, fetch.",
        subcommands = {DataCommand.Stats.class, DataCommand.Convert.class, DataCommand.Sample.class,
                DataCommand.Subset.class, FetchCommand.class})
public final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Print #sequences, #items, #actions, sparsity and sequence lengths (ConvFormer Table 2).")
    static final class Stats implements Callable<Integer> {
        @Mixin DataOptions data;

        @Option(names = "--json", description = "Print JSON instead of a Markdown table.")
        boolean json;

        @Override
        public Integer call() {
            DatasetStats s = DatasetStats.of(data.source().load());
            System.out.print(json ? Json.toString(s) + "\n" : s.toMarkdown());
            return 0;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true, description = "Turn an interaction log into the FMLP format: dedup, time sort, k-core, dense ids; "
            + "writes OUT, OUT's .item_map.tsv and .user_map.tsv. An OUT ending in .seqbin is written in the binary, sharded format "
            + "(a directory that training and scoring map into memory instead of parsing text).")
    static final class Convert implements Callable<Integer> {
        @Mixin DataOptions data;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output FMLP file, e.g. data/ml-1m.txt, or a directory "
                + "NAME.seqbin for the binary format.")
        Path out;

        @Option(names = "--shard-users", paramLabel = "N", defaultValue = "1048576", description = "Users per shard of a .seqbin output. "
                + "Default: ${DEFAULT-VALUE}.")
        int shardUsers;

        @Override
        public Integer call() {
            DataSource src = data.source();
            if (src.resolvedFormat().equals("seqbin") && !SeqBin.isSeqBin(out)) {
                Dataset d = src.load(); // binary back to text: an export
                d.save(out);
                System.out.println("wrote " + out + " (" + d.numUsers() + " users)");
                return 0;
            }
            if (src.resolvedFormat().equals("fmlp") && SeqBin.isSeqBin(out)) {
                Dataset d = src.load(); // an FMLP file into the binary format, parsed once
                SeqBin.save(d, out, shardUsers);
                System.out.println("wrote " + out + " (" + d.numUsers() + " users, " + SeqBin.shards(d.numUsers(), shardUsers) + " shard(s))");
                return 0;
            }
            if (src.readsSequences()) {
                throw new SeqrecException(data.data + " is already in FMLP format (give --format for a log with a .txt name)");
            }
            if (src.rejects() == null) {
                src = src.withRejects(rejectsBeside(out).toString());
            }
            RowErrors errors = src.rowErrors();
            SequenceBuilder.Result r = src.convert(errors);
            if (SeqBin.isSeqBin(out)) {
                SeqBin.save(r.dataset(), out, shardUsers);
            } else {
                r.dataset().save(out);
            }
            System.out.println(errors.summary());
            System.out.println(r.report());
            System.out.println("wrote " + out + ", " + Dataset.itemMapPath(out).getFileName() + ", "
                    + Dataset.userMapPath(out).getFileName());
            return 0;
        }
    }

    /** {@code data/shop.txt} to {@code data/shop.rejects.tsv}: the default rejects file of {@code data convert}. */
    static Path rejectsBeside(Path out) {
        String base = out.getFileName().toString();
        int dot = base.lastIndexOf('.');
        return out.toAbsolutePath().resolveSibling((dot > 0 ? base.substring(0, dot) : base) + ".rejects.tsv");
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, description = {"Export the fixed negatives of the sampled protocol (FMLP *_sample.txt layout).",
            "Runs derive the same lists from --negatives-seed without a file; this writes them out (or draws another set to pass with --negatives)."})
    static final class Sample implements Callable<Integer> {
        @Mixin DataOptions data;

        @Option(names = "--negatives", defaultValue = "99", paramLabel = "N",
                description = "Negatives per user: 99 (sampled) or 100 (uni100). Default: ${DEFAULT-VALUE}.")
        int count;

        @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42", description = "Random seed; the same seed gives the same file anywhere, and the lists a run derives with --negatives-seed SEED. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
        Path out;

        @Override
        public Integer call() {
            if (count < 1) {
                throw new SeqrecException("--negatives must be positive, got " + count);
            }
            Dataset d = data.source().load();
            new LeaveOneOut(d); // reports users that cannot be split
            Negatives.derived(d, count, seed).write(out, d);
            System.out.println("wrote " + count + " negatives for each of " + d.numUsers() + " users to " + out);
            return 0;
        }
    }

    @Command(name = "subset", mixinStandardHelpOptions = true, description = "A reproducible smaller dataset: the first N users of an FMLP file, re-filtered "
            + "to k-core and re-numbered (how the bundled quickstart dataset was made).")
    static final class Subset implements Callable<Integer> {
        @Mixin DataOptions data;

        @Option(names = "--users", required = true, paramLabel = "N", description = "Keep the first N users.")
        int users;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output FMLP file.")
        Path out;

        @Override
        public Integer call() {
            Dataset d = data.source().load();
            SequenceBuilder.Result r = Subsets.firstUsers(d, users, data.kcore);
            r.dataset().writeFmlp(out);
            System.out.println(r.report());
            System.out.println("wrote " + out);
            return 0;
        }
    }
}
