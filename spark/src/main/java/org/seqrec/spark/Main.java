package org.seqrec.spark;

import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.seqrec.cli.DataOptions;
import org.seqrec.data.DataSource;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code seqrec-spark prepare|score}: the Spark jobs, from {@code bin/seqrec-spark} (local mode) or
 * {@code spark-submit --class org.seqrec.spark.Main} on a cluster. The options mirror {@code seqrec data
 * convert} and {@code seqrec score}; docs/spark.md shows both ways.
 */
@Command(name = "seqrec-spark", mixinStandardHelpOptions = true, subcommands = {Main.Prepare.class, Main.Score.class},
        description = "seqrec's Spark jobs: prepare (an interaction log to sequences, as data convert) and score (top-k for a table of users, as score).")
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options every job takes. */
    static class SparkOptions {
        @Option(names = "--master", paramLabel = "URL", description = "Spark master when not set by spark-submit. Default: local[*].")
        String master;

        @Option(names = "--partitions", paramLabel = "N", description = "Shuffle partitions (spark.sql.shuffle.partitions) when not set by "
                + "the configuration. Default: 4 per core of the default parallelism.")
        Integer partitions;

        SparkSession session(String app) {
            SparkConf conf = new SparkConf().setAppName(app);
            if (master != null) {
                conf.setMaster(master);
            } else if (!conf.contains("spark.master")) {
                conf.setMaster("local[*]");
            }
            conf.setIfMissing("spark.ui.enabled", "false");
            // adaptive execution re-plans after every stage: on these short plans it slowed local mode down
            // (bench/results/scale.md, docs/spark.md); enable it with --conf spark.sql.adaptive.enabled=true on a cluster
            conf.setIfMissing("spark.sql.adaptive.enabled", "false");
            SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
            if (partitions != null) {
                spark.conf().set("spark.sql.shuffle.partitions", partitions);
            } else if (!conf.contains("spark.sql.shuffle.partitions")) {
                spark.conf().set("spark.sql.shuffle.partitions", Math.max(2, 4 * spark.sparkContext().defaultParallelism()));
            }
            return spark;
        }
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = "An interaction log (a file or a directory of part files, on any Hadoop file system) to the FMLP format with the rules of "
                    + "seqrec data convert (dedup, time order, iterative k-core, dense ids); writes OUT, OUT's .item_map.tsv and .user_map.tsv. "
                    + "On one file the output is byte-identical to data convert's. --max-errors applies to each input file; rejected rows are counted, not written.")
    static final class Prepare implements Callable<Integer> {
        @Mixin DataOptions data;
        @Mixin SparkOptions sparkOptions;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output FMLP file, or a directory NAME.seqbin for the "
                + "binary sharded format (any Hadoop path).")
        String out;

        @Option(names = "--shard-users", paramLabel = "N", defaultValue = "1048576", description = "Users per shard of a .seqbin output "
                + "(one task each). Default: ${DEFAULT-VALUE}.")
        int shardUsers;

        @Override
        public Integer call() throws Exception {
            if (data.source().rejects() != null) {
                throw new SeqrecException("--rejects: the Spark job counts rejected rows by reason but does not write them; "
                        + "run seqrec data convert on the file to list them");
            }
            try (SparkSession spark = sparkOptions.session("seqrec-spark prepare")) {
                PrepareJob.Prepared p = PrepareJob.convert(spark, source(data), out, shardUsers);
                System.out.println(p.rejectedSummary());
                System.out.println(p.report());
                System.out.println("wrote " + out + ", " + LogFiles.sibling(out, ".item_map.tsv") + ", " + LogFiles.sibling(out, ".user_map.tsv"));
            }
            return 0;
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Top-k next items of every user of a table (an FMLP file or directory, or an interaction log), in original ids, as "
                    + "seqrec score computes them; writes Parquet (user, rank, item, score). Each executor loads the run once.")
    static final class Score implements Callable<Integer> {
        @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory (readable at the same path on every executor).")
        String run;

        @Mixin DataOptions data;
        @Mixin SparkOptions sparkOptions;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "Items per user. Default: ${DEFAULT-VALUE}.")
        int k;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Parquet output directory (must not exist).")
        String out;

        @Option(names = "--include-seen", description = "Allow items of the user's history (excluded by default).")
        boolean includeSeen;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "256", description = "Users per forward pass. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Override
        public Integer call() throws Exception {
            if (batch < 1) {
                throw new SeqrecException("--batch must be positive");
            }
            DataSource src = source(data);
            if (!spec.commandLine().getParseResult().hasMatchedOption("--kcore")) {
                src = src.withKcore(1); // as seqrec score: every user of the file is scored
            }
            long t0 = System.nanoTime();
            try (SparkSession spark = sparkOptions.session("seqrec-spark score")) {
                long users = ScoreJob.run(spark, src, new ScoreJob.Options(java.nio.file.Path.of(run).toAbsolutePath().toString(), k,
                        includeSeen, batch), out);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("scored %d users in %.1f s (%.0f users/s) -> %s%n", users, s, users / s, out);
            }
            return 0;
        }
    }

    /** The data options as a source; paths with a scheme (hdfs://, s3a://) are kept as given. */
    static DataSource source(DataOptions data) {
        DataSource s = data.source();
        String given = data.dataPath(); // a java.nio Path: hdfs://nn/x arrives as hdfs:/nn/x
        return given.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:/.*") ? s.withPath(given.replaceFirst(":/+", "://")) : s;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line: 0 on success, 2 (the message on standard error) when a job fails. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parse) -> {
            Throwable root = e;
            while (root.getCause() != null && !(root instanceof SeqrecException)) {
                root = root.getCause();
            }
            cmd.getErr().println("seqrec-spark: " + (root.getMessage() != null ? root.getMessage() : root.toString()));
            return 2;
        });
        return cl.execute(args);
    }
}
